/// Where the browser library looks for a destination's SDK, as `settings-format.md` gives it.
public enum BundlePaths {
    /// The library's `norm`: lower-cased, the first `.` removed, runs of white space as `-`
    /// (`Customer.io` -> `customerio`, `Google Tag Manager` -> `google-tag-manager`).
    public static func norm(_ name: String) -> String {
        var lowered = name.lowercased()
        if let dot = lowered.firstIndex(of: ".") { lowered.remove(at: dot) }
        var result = ""
        var inWhitespace = false
        for character in lowered {
            if character.isWhitespace {
                if !inWhitespace { result.append("-") }
                inWhitespace = true
            } else {
                result.append(character)
                inWhitespace = false
            }
        }
        return result
    }

    /// `/next-integrations/integrations/{norm}/{version}/{norm}.dynamic.js.gz`: the path the
    /// library computes itself for a classic device-mode destination.
    public static func classic(name: String, version: String) -> String {
        let norm = norm(name)
        return "/next-integrations/integrations/\(norm)/\(version)/\(norm).dynamic.js.gz"
    }

    /// `/next-integrations/actions/{directory}/{contenthash}.js`: content-addressed, so it can
    /// be cached forever.
    public static func actions(directory: String, contentHash: String) -> String {
        "/next-integrations/actions/\(directory)/\(contentHash).js"
    }
}
