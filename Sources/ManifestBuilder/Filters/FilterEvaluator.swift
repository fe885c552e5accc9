import Foundation

extension FilterExpression {
    /// Whether the event matches: the expression evaluates to the boolean `true`, as the
    /// browser library's routing middleware decides it. A missing path is `undefined` (nil here).
    public func matches(_ event: JSONValue) -> Bool {
        evaluate(event) == .bool(true)
    }

    /// The value of the expression for `event`, with JavaScript's semantics where the library
    /// has them: strict equality (objects and arrays compare by their JSON text), numeric
    /// comparisons only between numbers, `typeof`, and nil for `undefined`.
    public func evaluate(_ event: JSONValue) -> JSONValue? {
        switch self {
        case .path(let path): return Self.resolve(path, in: event)
        case .literal(let value): return value
        case .call(let op, let operands): return Self.apply(op, operands, event)
        }
    }

    private static func apply(_ op: Operator, _ operands: [FilterExpression], _ event: JSONValue) -> JSONValue? {
        func value(_ index: Int) -> JSONValue? {
            operands.indices.contains(index) ? operands[index].evaluate(event) : nil
        }
        switch op {
        case .not: return .bool(!truthy(value(0)))
        case .and: return .bool(operands.allSatisfy { truthy($0.evaluate(event)) })
        case .or: return .bool(operands.contains { truthy($0.evaluate(event)) })
        case .equal: return .bool(strictlyEqual(value(0), value(1)))
        case .notEqual: return .bool(!strictlyEqual(value(0), value(1)))
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            guard let left = number(value(0)), let right = number(value(1)) else { return .bool(false) }
            return .bool(compare(op, left, right))
        case .in:
            let candidate = value(0)
            guard case .array(let members)? = value(1) else { return .bool(false) }
            return .bool(members.contains { strictlyEqual(candidate, $0) })
        case .contains:
            guard case .string(let text)? = value(0), case .string(let part)? = value(1) else { return .bool(false) }
            return .bool(part.isEmpty || text.contains(part))
        case .match:
            guard case .string(let text)? = value(0), case .string(let glob)? = value(1) else { return .bool(false) }
            return .bool(Glob(glob).matches(text))
        case .lowercase:
            guard case .string(let text)? = value(0) else { return .null }
            return .string(text.lowercased())
        case .length:
            switch value(0) {
            case .string(let text)?: return .int(text.utf16.count)
            case .array(let members)?: return .int(members.count)
            default: return .int(0)
            }
        case .typeof: return .string(typeOf(value(0)))
        }
    }

    private static func compare(_ op: Operator, _ left: Double, _ right: Double) -> Bool {
        switch op {
        case .less: left < right
        case .lessOrEqual: left <= right
        case .greater: left > right
        default: left >= right
        }
    }

    /// A dot path into the event's objects; nil (undefined) where it leads nowhere.
    static func resolve(_ path: String, in event: JSONValue) -> JSONValue? {
        var current: JSONValue? = event
        for key in path.split(separator: ".", omittingEmptySubsequences: false) {
            guard case .object(let members)? = current else { return nil }
            current = members[String(key)]
        }
        return current
    }

    private static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .int(let number)?: Double(number)
        case .double(let number)?: number
        default: nil
        }
    }

    /// JavaScript's `===`, with objects and arrays compared by their JSON text.
    private static func strictlyEqual(_ left: JSONValue?, _ right: JSONValue?) -> Bool {
        if let left = number(left), let right = number(right) { return left == right }
        switch (left, right) {
        case (nil, nil): return true
        case (.array, .array), (.object, .object): return CanonicalJSON.encode(left!) == CanonicalJSON.encode(right!)
        default: return left == right
        }
    }

    private static func truthy(_ value: JSONValue?) -> Bool {
        switch value {
        case nil, .null?: false
        case .bool(let flag)?: flag
        case .int(let number)?: number != 0
        case .double(let number)?: number != 0 && !number.isNaN
        case .string(let text)?: !text.isEmpty
        case .array?, .object?: true
        }
    }

    private static func typeOf(_ value: JSONValue?) -> String {
        switch value {
        case nil: "undefined"
        case .bool?: "boolean"
        case .int?, .double?: "number"
        case .string?: "string"
        case .null?, .array?, .object?: "object"
        }
    }
}

/// A glob as `match` reads it: `*` any run, `?` one character, `[...]` and `[^...]` classes
/// (with ranges), `\` escaping the next character.
struct Glob {
    private enum Piece {
        case literal(Character)
        case any
        case anyRun
        case set([ClosedRange<Character>], negated: Bool)
    }

    private let pieces: [Piece]

    init(_ pattern: String) {
        var pieces: [Piece] = []
        var characters = Array(pattern)[...]
        while let character = characters.popFirst() {
            switch character {
            case "*": pieces.append(.anyRun)
            case "?": pieces.append(.any)
            case "\\": pieces.append(.literal(characters.popFirst() ?? "\\"))
            case "[":
                guard let close = characters.dropFirst().firstIndex(of: "]") else {
                    pieces.append(.literal("["))
                    continue
                }
                var body = Array(characters[..<close])
                characters = characters[(close + 1)...]
                let negated = body.first == "^" || body.first == "!"
                if negated { body.removeFirst() }
                var ranges: [ClosedRange<Character>] = []
                var index = 0
                while index < body.count {
                    if index + 2 < body.count, body[index + 1] == "-", body[index] <= body[index + 2] {
                        ranges.append(body[index]...body[index + 2])
                        index += 3
                    } else {
                        ranges.append(body[index]...body[index])
                        index += 1
                    }
                }
                pieces.append(.set(ranges, negated: negated))
            default: pieces.append(.literal(character))
            }
        }
        self.pieces = pieces
    }

    func matches(_ text: String) -> Bool {
        Self.matches(pieces[...], Array(text)[...])
    }

    private static func matches(_ pieces: ArraySlice<Piece>, _ text: ArraySlice<Character>) -> Bool {
        guard let piece = pieces.first else { return text.isEmpty }
        let rest = pieces.dropFirst()
        switch piece {
        case .anyRun:
            // Backtracking over where the run ends; patterns are short operator-written globs.
            return (0...text.count).contains { matches(rest, text.dropFirst($0)) }
        case .any:
            return !text.isEmpty && matches(rest, text.dropFirst())
        case .literal(let character):
            return text.first == character && matches(rest, text.dropFirst())
        case .set(let ranges, let negated):
            guard let first = text.first else { return false }
            return ranges.contains { $0.contains(first) } != negated && matches(rest, text.dropFirst())
        }
    }
}
