/// Entity-tag comparison for conditional requests (RFC 9110 §8.8.3, §13.1.2).
package enum EntityTag {
    /// Whether an `If-None-Match` value matches the current tag: `*` matches any existing
    /// representation; otherwise any listed tag that equals it by weak comparison (ignoring `W/`).
    package static func ifNoneMatch(_ header: String, matches current: String?) -> Bool {
        guard let current else { return false }
        let currentOpaque = opaque(current)
        return tags(in: header).contains { $0 == "*" || opaque($0) == currentOpaque }
    }

    /// The tags of a comma-separated list; quoted tags may themselves contain commas.
    package static func tags(in header: String) -> [Substring] {
        var tags: [Substring] = []
        var index = header.startIndex
        while index < header.endIndex {
            let character = header[index]
            if character == "," || character == " " || character == "\t" {
                index = header.index(after: index)
                continue
            }
            var end = index
            if header[index...].hasPrefix("W/\"") || character == "\"" {
                let quote = header[index...].firstIndex(of: "\"")!
                end =
                    header[header.index(after: quote)...].firstIndex(of: "\"").map { header.index(after: $0) }
                    ?? header.endIndex
            } else {
                end = header[index...].firstIndex(of: ",") ?? header.endIndex
            }
            tags.append(header[index..<end])
            index = end
        }
        return tags
    }

    private static func opaque(_ tag: some StringProtocol) -> Substring {
        let tag = Substring(tag)
        return tag.hasPrefix("W/") ? tag.dropFirst(2) : tag
    }
}
