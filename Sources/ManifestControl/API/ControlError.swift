import HTTPTypes
import ManifestBuilder

/// An error the API answers with a problem document (RFC 9457): the status, a stable `type`
/// URI, a title, a sentence for people, and where useful the JSON pointer into the request and
/// every rule violation.
public struct ControlError: Error, Sendable {
    public var status: HTTPResponse.Status
    /// The last segment of the problem type URI (`rule-violation`, `not-found`, ...).
    public var type: String
    public var title: String
    public var detail: String
    /// Where in the request body the problem is (RFC 6901), when it is in the body.
    public var pointer: String?
    public var violations: [ProblemViolation]
    public var headers: HTTPFields

    public init(
        _ status: HTTPResponse.Status, type: String, title: String, detail: String, pointer: String? = nil,
        violations: [ProblemViolation] = [], headers: HTTPFields = [:]
    ) {
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.pointer = pointer
        self.violations = violations
        self.headers = headers
    }

    public static func badRequest(_ detail: String, pointer: String? = nil) -> ControlError {
        ControlError(
            .badRequest, type: "invalid-request", title: "The request is malformed", detail: detail, pointer: pointer)
    }

    public static func unauthorized() -> ControlError {
        ControlError(
            .unauthorized, type: "unauthorized", title: "Authentication required",
            detail: "Send a valid, unrevoked workspace token: Authorization: Bearer mdt_...",
            headers: [.wwwAuthenticate: "Bearer realm=\"manifest-control\""])
    }

    public static func forbidden() -> ControlError {
        ControlError(
            .forbidden, type: "forbidden", title: "The token cannot do this",
            detail: "This token has the read scope; changes need a token with the write scope.")
    }

    public static func notFound(_ detail: String) -> ControlError {
        ControlError(.notFound, type: "not-found", title: "No such resource", detail: detail)
    }

    public static func preconditionFailed(_ detail: String) -> ControlError {
        ControlError(
            .preconditionFailed, type: "precondition-failed", title: "The resource has changed", detail: detail)
    }

    public static func violations(_ violations: [ProblemViolation]) -> ControlError {
        let summary = violations.map { "\($0.rule.rawValue): \($0.message)" }.joined(separator: "\n")
        return ControlError(
            .unprocessableContent, type: "rule-violation", title: "The change breaks the connection rules",
            detail: summary, pointer: violations.first?.pointer, violations: violations)
    }

    public static func unprocessable(_ detail: String, pointer: String?) -> ControlError {
        ControlError(
            .unprocessableContent, type: "invalid-value", title: "A value is not acceptable", detail: detail,
            pointer: pointer)
    }

    public static func busy() -> ControlError {
        ControlError(
            .serviceUnavailable, type: "busy", title: "The store is busy",
            detail: "Another change holds the store; try again shortly.", headers: [.retryAfter: "1"])
    }
}

/// One rule violation in a problem document.
public struct ProblemViolation: Sendable, Hashable {
    public var rule: RuleID
    public var severity: Violation.Severity
    /// Into the request body, when the violation is about what the request sent.
    public var pointer: String?
    /// Into the workspace document (`$.sources[0].instances[2].mode`), as the CLI prints it.
    public var path: String
    /// The sentence the CLI prints.
    public var message: String

    public init(_ violation: Violation, pointer: String?) {
        self.rule = violation.rule
        self.severity = violation.severity
        self.pointer = pointer
        self.path = violation.path
        self.message = violation.message
    }

    public init(rule: RuleID, pointer: String?, path: String, message: String) {
        self.rule = rule
        self.severity = .error
        self.pointer = pointer
        self.path = path
        self.message = message
    }

    var json: JSONValue {
        var members: [String: JSONValue] = [
            "rule": .string(rule.rawValue), "title": .string(rule.title), "severity": .string(severity.rawValue),
            "path": .string(path), "message": .string(message),
        ]
        members["pointer"] = pointer.map(JSONValue.string) ?? .null
        return .object(members)
    }
}
