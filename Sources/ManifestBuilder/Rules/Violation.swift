/// The connection rules of `connection-rules.md` (R1–R14), the workspace's own integrity
/// checks (W1–W3) and destination filters (F1). The raw value is the id people see in errors.
public enum RuleID: String, Codable, Hashable, Sendable, CaseIterable, Comparable {
    case r1 = "R1"
    case r2 = "R2"
    case r3 = "R3"
    case r4 = "R4"
    case r5 = "R5"
    case r6 = "R6"
    case r7 = "R7"
    case r8 = "R8"
    case r9 = "R9"
    case r10 = "R10"
    case r11 = "R11"
    case r12 = "R12"
    case r13 = "R13"
    case r14 = "R14"
    /// Source ids and write keys are unique within the workspace.
    case w1 = "W1"
    /// An instance names a destination that the catalog has.
    case w2 = "W2"
    /// A write key uses only the `WriteKey` alphabet and length, so the origin can serve it.
    case w3 = "W3"
    /// A destination filter's condition is valid FQL (it becomes a routing rule the browser runs).
    case f1 = "F1"

    /// A short title for listings.
    public var title: String {
        switch self {
        case .r1: "unique names"
        case .r2: "cloud fan-out limit"
        case .r3: "one device instance"
        case .r4: "device-only destinations"
        case .r5: "mobile and project sources"
        case .r6: "no multi-instance"
        case .r7: "hybrid Actions exceptions"
        case .r8: "data lakes"
        case .r9: "server sources are cloud only"
        case .r10: "mode must be supported"
        case .r11: "settings"
        case .r12: "copy settings"
        case .r13: "one source per instance"
        case .r14: "enabled toggle"
        case .w1: "unique sources"
        case .w2: "known destination"
        case .w3: "write key format"
        case .f1: "filter conditions"
        }
    }

    public static func < (lhs: RuleID, rhs: RuleID) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One broken rule, located precisely enough for a person to fix it.
public struct Violation: Codable, Hashable, Sendable {
    public enum Severity: String, Codable, Hashable, Sendable {
        case error
        case warning
    }

    public var rule: RuleID
    public var severity: Severity
    /// The source's name.
    public var source: String?
    /// The catalog destination's name.
    public var destination: String?
    /// The instance's name.
    public var instance: String?
    /// Where in the input, as a JSON path (`$.sources[0].instances[2].mode`).
    public var path: String
    /// A sentence a person understands: what is wrong and why the rule exists.
    public var message: String

    public init(
        rule: RuleID, severity: Severity = .error, source: String? = nil, destination: String? = nil,
        instance: String? = nil, path: String, message: String
    ) {
        self.rule = rule
        self.severity = severity
        self.source = source
        self.destination = destination
        self.instance = instance
        self.path = path
        self.message = message
    }
}

/// Everything the validator found, errors and warnings kept apart.
public struct ValidationReport: Codable, Hashable, Sendable {
    public var errors: [Violation]
    public var warnings: [Violation]

    public init(errors: [Violation] = [], warnings: [Violation] = []) {
        self.errors = errors
        self.warnings = warnings
    }

    /// A workspace is valid when it has no errors; warnings do not block publishing.
    public var isValid: Bool { errors.isEmpty }

    mutating func append(_ violation: Violation) {
        switch violation.severity {
        case .error: errors.append(violation)
        case .warning: warnings.append(violation)
        }
    }
}
