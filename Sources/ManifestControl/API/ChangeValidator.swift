import Foundation
import ManifestBuilder

/// Checks a change with the connection rules (R1–R14, W1, W2: the settings schema is R11)
/// before anything is saved: every violation the change introduces, all at once, each with a
/// JSON pointer into the request when it is about what the request sent.
struct ChangeValidator {
    let rules: ConnectionRules

    /// Throws the violations `after` has, over `sources`, that `before` did not have.
    func check(before: Workspace, after: Workspace, sources: Set<String>, pointers: PointerMap) throws(ControlError) {
        let existing = Set(rules.validate(before, sources: sources.filter { before.source(id: $0) != nil }).errors)
        let introduced = rules.validate(after, sources: sources).errors.filter { !existing.contains($0) }
        guard !introduced.isEmpty else { return }
        throw .violations(introduced.map { ProblemViolation($0, pointer: pointers.pointer(for: $0.path)) })
    }
}

/// Maps a workspace JSON path (`$.sources[1].instances[2].settings.apiKey`) to a JSON pointer
/// into the request body that edited the resource at `prefix` (`/settings/apiKey`).
struct PointerMap {
    /// The edited resource's path, `$.sources[1]` or `$.sources[1].instances[2]`.
    var prefix: String
    /// Model member names that the API spells differently (`.name` is `/displayName`).
    var renamed: [String: String] = ["name": "displayName"]

    func pointer(for path: String) -> String? {
        guard path.hasPrefix(prefix) else { return nil }
        let rest = path.dropFirst(prefix.count)
        if rest.isEmpty { return "" }
        guard rest.first == "." || rest.first == "[" else { return nil }
        var tokens = Self.tokens(of: rest)
        if let first = tokens.first, let name = renamed[first] { tokens[0] = name }
        return tokens.map { "/" + JSONPointer.escape($0) }.joined()
    }

    /// `.settings.apiKey` and `.settings["odd key"]` as member names, `.filters[0]` as the
    /// array index `0` (so an F1 violation points at `/filters/0/if`, not the whole list).
    private static func tokens(of path: Substring) -> [String] {
        var tokens: [String] = []
        var rest = path
        while !rest.isEmpty {
            if rest.hasPrefix("[\""), let end = rest.range(of: "\"]") {
                tokens.append(String(rest[rest.index(rest.startIndex, offsetBy: 2)..<end.lowerBound]))
                rest = rest[end.upperBound...]
            } else if rest.hasPrefix("["), let end = rest.firstIndex(of: "]"),
                case let index = rest[rest.index(after: rest.startIndex)..<end],
                !index.isEmpty, index.allSatisfy(\.isASCII), index.allSatisfy(\.isNumber)
            {
                tokens.append(String(index))
                rest = rest[rest.index(after: end)...]
            } else if rest.hasPrefix(".") {
                let body = rest.dropFirst()
                let end = body.firstIndex { $0 == "." || $0 == "[" } ?? body.endIndex
                tokens.append(String(body[..<end]))
                rest = body[end...]
            } else {
                break
            }
        }
        return tokens
    }
}
