/// Refusals keyed by the form field they concern (`name`, `mode`, `setting.apiKey`; `form` for
/// the rest), each the rule's id and sentence: what the page shows next to that field.
struct FieldErrors {
    private(set) var byKey: [String: String] = [:]

    init() {}

    /// The violations of a refused change, placed by their JSON pointer into the instance.
    init(_ violations: [ProblemViolation]) {
        for violation in violations {
            add("\(violation.rule.rawValue): \(violation.message)", for: Self.key(violation.pointer))
        }
    }

    subscript(_ key: String) -> String? { byKey[key] }

    var isEmpty: Bool { byKey.isEmpty }

    /// Everything not shown next to a field of its own.
    var general: String? { byKey["form"] }

    mutating func add(_ message: String, for key: String) {
        byKey[key] = byKey[key].map { $0 + " " + message } ?? message
    }

    /// Whether the page has an input for `key`: refusals for anything else go to `form`.
    func placed(in keys: Set<String>) -> FieldErrors {
        var placed = FieldErrors()
        for (key, message) in byKey { placed.add(message, for: keys.contains(key) ? key : "form") }
        return placed
    }

    private static func key(_ pointer: String?) -> String {
        guard let pointer else { return "form" }
        let tokens = pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        switch tokens.first {
        case "displayName": return "name"
        case "mode": return "mode"
        case "settings" where tokens.count > 1: return SettingsForm.prefix + tokens[1]
        case "from": return "from"
        case "filters", "filter": return "filter"
        default: return "form"
        }
    }
}
