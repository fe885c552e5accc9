/// A destination filter's condition, compiled: the IR that Analytics.js's routing middleware
/// evaluates (`../shared/spec/routing-rules.md`).
public indirect enum FilterExpression: Hashable, Sendable {
    /// A dot path into the event (`properties.price`), resolved to the value there.
    case path(String)
    /// A literal: string, number, boolean or null.
    case literal(JSONValue)
    /// An operator and its operands: `!`, `and`, `or`, comparisons, and the functions.
    case call(Operator, [FilterExpression])

    public enum Operator: String, Hashable, Sendable, CaseIterable {
        case not = "!"
        case and, or
        case equal = "="
        case notEqual = "!="
        case less = "<"
        case lessOrEqual = "<="
        case greater = ">"
        case greaterOrEqual = ">="
        case `in`
        case contains, match, lowercase, length, `typeof`

        /// The functions FQL writes as `name(arguments)`, with their argument counts.
        static let functions: [String: (Operator, Int)] = [
            "contains": (.contains, 2), "match": (.match, 2), "lowercase": (.lowercase, 1),
            "length": (.length, 1), "typeof": (.typeof, 1),
        ]

        static let comparisons: [String: Operator] = [
            "=": .equal, "!=": .notEqual, "<": .less, "<=": .lessOrEqual, ">": .greater, ">=": .greaterOrEqual,
        ]
    }

    /// The IR as JSON: `["=", "event", {"value": "Test"}]`.
    public var ir: JSONValue {
        switch self {
        case .path(let path): .string(path)
        case .literal(let value): .object(["value": value])
        case .call(let op, let operands): .array([.string(op.rawValue)] + operands.map(\.ir))
        }
    }

    /// The expression as FQL text, fully parenthesised: compiling it gives this expression back.
    public var fql: String {
        switch self {
        case .path(let path): path
        case .literal(let value): Self.fqlLiteral(value)
        case .call(.not, let operands): "!(\(operands[0].fql))"
        case .call(.and, let operands), .call(.or, let operands):
            operands.map { "(\($0.fql))" }.joined(separator: " \(callOperator.rawValue) ")
        case .call(let op, let operands) where Operator.comparisons.values.contains(op):
            "(\(operands[0].fql)) \(op.rawValue) (\(operands[1].fql))"
        case .call(let op, let operands):
            "\(op.rawValue)(\(operands.map(\.fql).joined(separator: ", ")))"
        }
    }

    private var callOperator: Operator {
        if case .call(let op, _) = self { return op }
        return .and
    }

    private static func fqlLiteral(_ value: JSONValue) -> String {
        switch value {
        case .string(let text):
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .int(let number): String(number)
        case .double(let number): number.description
        case .bool(let flag): flag ? "true" : "false"
        default: "null"
        }
    }
}
