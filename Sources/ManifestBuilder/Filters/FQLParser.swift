/// Why a filter condition is not FQL: what was expected, and where (a 1-based character
/// position in the condition).
public struct FQLError: Error, Hashable, Sendable, CustomStringConvertible {
    public var position: Int
    public var message: String

    public var description: String { "at character \(position): \(message)" }
}

/// Compiles FQL text (Segment's Filter Query Language, the subset in
/// `../shared/spec/routing-rules.md`) into a `FilterExpression`.
///
/// Precedence, loosest first: `or`, `and`, `!`, comparisons (`= != < <= > >=`, not
/// chainable), then operands: literals, paths, `name(arguments)` and parentheses.
public enum FQL {
    public static func compile(_ text: String) throws(FQLError) -> FilterExpression {
        var parser = FQLParser(tokens: try FQLLexer.tokens(text), end: text.count + 1)
        return try parser.expression()
    }
}

/// One token and the character position it starts at.
struct FQLToken: Equatable {
    enum Kind: Equatable {
        case identifier(String)
        case string(String)
        case number(JSONValue)
        case symbol(String)
    }

    var kind: Kind
    var position: Int
}

enum FQLLexer {
    static func tokens(_ text: String) throws(FQLError) -> [FQLToken] {
        let characters = Array(text)
        var tokens: [FQLToken] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            let position = index + 1
            if character.isWhitespace {
                index += 1
            } else if character == "\"" {
                let (text, next) = try string(characters, from: index)
                tokens.append(FQLToken(kind: .string(text), position: position))
                index = next
            } else if isDigit(character)
                || (character == "-" && index + 1 < characters.count && isDigit(characters[index + 1]))
            {
                let (value, next) = try number(characters, from: index)
                tokens.append(FQLToken(kind: .number(value), position: position))
                index = next
            } else if character.isLetter || character == "_" || character == "$" {
                var end = index
                while end < characters.count, isPathCharacter(characters[end]) { end += 1 }
                let word = String(characters[index..<end])
                guard !word.hasSuffix("."), !word.contains("..") else {
                    throw FQLError(position: position, message: "'\(word)' is not a path: a dot must join two names")
                }
                tokens.append(FQLToken(kind: .identifier(word), position: position))
                index = end
            } else if let symbol = symbol(characters, at: index) {
                tokens.append(FQLToken(kind: .symbol(symbol), position: position))
                index += symbol.count
            } else {
                throw FQLError(position: position, message: "unexpected character '\(character)'")
            }
        }
        return tokens
    }

    private static func isDigit(_ character: Character) -> Bool {
        ("0"..."9").contains(character)
    }

    private static func isPathCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_" || character == "$" || character == "."
            || character == "-"
    }

    private static func symbol(_ characters: [Character], at index: Int) -> String? {
        let two = index + 1 < characters.count ? String(characters[index...index + 1]) : ""
        if ["!=", "<=", ">="].contains(two) { return two }
        let one = String(characters[index])
        return ["=", "<", ">", "!", "(", ")", ","].contains(one) ? one : nil
    }

    private static func string(_ characters: [Character], from start: Int) throws(FQLError) -> (String, Int) {
        var text = ""
        var index = start + 1
        while index < characters.count {
            switch characters[index] {
            case "\"": return (text, index + 1)
            case "\\":
                guard index + 1 < characters.count else { break }
                let escaped = characters[index + 1]
                switch escaped {
                case "n": text.append("\n")
                case "t": text.append("\t")
                case "\"", "\\", "/": text.append(escaped)
                // Kept as written, so that a glob's own escapes (`\*`, `\?`) reach `match`.
                default: text.append(contentsOf: ["\\", escaped])
                }
                index += 2
            case let character:
                text.append(character)
                index += 1
            }
        }
        throw FQLError(position: start + 1, message: "unterminated string: expected a closing '\"'")
    }

    private static func number(_ characters: [Character], from start: Int) throws(FQLError) -> (JSONValue, Int) {
        var end = start + 1
        while end < characters.count {
            let character = characters[end]
            let afterExponent = characters[end - 1] == "e" || characters[end - 1] == "E"
            guard isDigit(character) || ".eE".contains(character) || (afterExponent && "+-".contains(character)) else {
                break
            }
            end += 1
        }
        let text = String(characters[start..<end])
        if let integer = Int(text) { return (.int(integer), end) }
        guard let value = Double(text), value.isFinite else {
            throw FQLError(position: start + 1, message: "'\(text)' is not a number")
        }
        return (.double(value), end)
    }
}

/// Recursive descent over the tokens, one function per precedence level.
struct FQLParser {
    let tokens: [FQLToken]
    /// The position just past the text, for errors at its end.
    let end: Int
    private var index = 0

    init(tokens: [FQLToken], end: Int) {
        self.tokens = tokens
        self.end = end
    }

    mutating func expression() throws(FQLError) -> FilterExpression {
        let expression = try or()
        if let extra = peek {
            throw FQLError(
                position: extra.position, message: "expected 'and', 'or' or the end, found \(describe(extra))")
        }
        return expression
    }

    private mutating func or() throws(FQLError) -> FilterExpression {
        var operands = [try and()]
        while takeKeyword("or") { operands.append(try and()) }
        return operands.count == 1 ? operands[0] : .call(.or, operands)
    }

    private mutating func and() throws(FQLError) -> FilterExpression {
        var operands = [try unary()]
        while takeKeyword("and") { operands.append(try unary()) }
        return operands.count == 1 ? operands[0] : .call(.and, operands)
    }

    private mutating func unary() throws(FQLError) -> FilterExpression {
        if peek?.kind == .symbol("!") {
            index += 1
            return .call(.not, [try unary()])
        }
        return try comparison()
    }

    private mutating func comparison() throws(FQLError) -> FilterExpression {
        let left = try operand()
        guard case .symbol(let symbol)? = peek?.kind, let op = FilterExpression.Operator.comparisons[symbol] else {
            return left
        }
        index += 1
        let right = try operand()
        if case .symbol(let next)? = peek?.kind, FilterExpression.Operator.comparisons[next] != nil {
            throw FQLError(position: peek!.position, message: "comparisons do not chain: add 'and' or parentheses")
        }
        return .call(op, [left, right])
    }

    private mutating func operand() throws(FQLError) -> FilterExpression {
        guard let token = peek else {
            throw FQLError(position: end, message: "expected a value, a path or '(' at the end")
        }
        index += 1
        switch token.kind {
        case .string(let text): return .literal(.string(text))
        case .number(let value): return .literal(value)
        case .symbol("("):
            let inner = try or()
            try expect(")", "expected ')' to close the '(' at character \(token.position)")
            return inner
        case .identifier("true"): return .literal(.bool(true))
        case .identifier("false"): return .literal(.bool(false))
        case .identifier("null"): return .literal(.null)
        case .identifier(let name) where peek?.kind == .symbol("("):
            return try call(name, at: token.position)
        case .identifier(let name) where name == "and" || name == "or":
            throw FQLError(position: token.position, message: "expected a value before '\(name)'")
        case .identifier(let path): return .path(path)
        default:
            throw FQLError(
                position: token.position, message: "expected a value, a path or '(', found \(describe(token))")
        }
    }

    private mutating func call(_ name: String, at position: Int) throws(FQLError) -> FilterExpression {
        guard let (op, arity) = FilterExpression.Operator.functions[name] else {
            let known = FilterExpression.Operator.functions.keys.sorted().joined(separator: ", ")
            throw FQLError(position: position, message: "unknown function '\(name)': expected one of \(known)")
        }
        index += 1
        var arguments: [FilterExpression] = []
        if peek?.kind != .symbol(")") {
            arguments.append(try or())
            while peek?.kind == .symbol(",") {
                index += 1
                arguments.append(try or())
            }
        }
        try expect(")", "expected ',' or ')' in the arguments of \(name)")
        guard arguments.count == arity else {
            throw FQLError(position: position, message: "\(name) takes \(arity) argument(s), not \(arguments.count)")
        }
        return .call(op, arguments)
    }

    private var peek: FQLToken? { index < tokens.count ? tokens[index] : nil }

    private mutating func takeKeyword(_ word: String) -> Bool {
        guard peek?.kind == .identifier(word) else { return false }
        index += 1
        return true
    }

    private mutating func expect(_ symbol: String, _ message: String) throws(FQLError) {
        guard peek?.kind == .symbol(symbol) else {
            throw FQLError(
                position: peek?.position ?? end,
                message: peek.map { "\(message), found \(describe($0))" } ?? "\(message) at the end")
        }
        index += 1
    }

    private func describe(_ token: FQLToken) -> String {
        switch token.kind {
        case .identifier(let name): "'\(name)'"
        case .string(let text): "the string \"\(text)\""
        case .number(let value): "the number \(value)"
        case .symbol(let symbol): "'\(symbol)'"
        }
    }
}
