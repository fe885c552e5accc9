/// Why bytes are not a JSON text (RFC 8259), and where: a 1-based line and column (columns
/// count bytes).
public struct JSONSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String
    /// Where in the document, innermost step first (built as the error leaves each container,
    /// so that parsing pays nothing for it until something fails).
    var reversedPath: [JSONPathStep] = []

    /// The JSON path of the value being parsed when parsing stopped (`$.sources[0].settings`;
    /// for a duplicate key, the key itself), or `$` at the top level.
    public var path: String {
        "$" + reversedPath.reversed().map(\.rendered).joined()
    }

    public var description: String { "\(line):\(column): \(message)" }

    /// This error, seen from the container that holds the value it happened in.
    func inside(_ step: JSONPathStep) -> JSONSyntaxError {
        var outer = self
        outer.reversedPath.append(step)
        return outer
    }
}

/// One step of a JSON path: an object member or an array element.
enum JSONPathStep: Hashable, Sendable {
    case member(String)
    case element(Int)

    var rendered: String {
        switch self {
        case .member(let key): JSONPath.member(key)
        case .element(let index): "[\(index)]"
        }
    }
}

extension JSONValue {
    /// Parses a whole JSON text.
    ///
    /// A parser of its own rather than `JSONDecoder`: decoding a `JSONValue` through `Codable`
    /// has to try each type in turn, and every failed try throws (and under Swift Testing
    /// captures a backtrace), which made a manifest's decoding most of a page load's cost.
    /// It is also stricter where `JSONDecoder` is lenient: a duplicate key in an object (which
    /// could hide a setting), a number outside the `Double` range, and anything after the value
    /// are errors with their position.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        let parsed =
            bytes.withContiguousStorageIfAvailable(parseBuffer)
            ?? Array(bytes).withUnsafeBufferPointer(parseBuffer)
        return try parsed.get()
    }

    private static func parseBuffer(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, JSONSyntaxError> {
        var parser = JSONParser(buffer)
        return Result { () throws(JSONSyntaxError) in try parser.document() }
    }
}

/// A recursive-descent JSON parser over a byte buffer.
struct JSONParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0

    /// Deeper nesting is refused rather than risking the stack.
    static let maxDepth = 512

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func document() throws(JSONSyntaxError) -> JSONValue {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        skipWhitespace()
        let value = try self.value()
        skipWhitespace()
        guard index == bytes.count else { throw error("unexpected '\(character(at: index))' after the JSON value") }
        return value
    }

    /// A document whose top level is an object, read member by member without building it:
    /// each member's value goes to `member`, except the array under `streamed`, whose elements
    /// go to `element` one at a time with the offset just past it, so that only one of them is
    /// alive at once (then `member` gets an empty array under `streamed`, standing for it).
    /// Either closure returns false to stop. False when stopped, or when the document is not so shaped (a
    /// duplicate member, `streamed` not an array); a syntax error throws, with its position
    /// but without its JSON path: a caller wanting every detail parses the document whole.
    mutating func streamObject(
        streaming streamed: String, member: (String, JSONValue) -> Bool, element: (JSONValue, _ offset: Int) -> Bool
    ) throws(JSONSyntaxError) -> Bool {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        skipWhitespace()
        try expect(UInt8(ascii: "{"), "expected an object")
        var seen: Set<String> = []
        skipWhitespace()
        if !peek(UInt8(ascii: "}")) {
            while true {
                skipWhitespace()
                guard peek(UInt8(ascii: "\"")) else { throw error("expected a member name in double quotes") }
                let key = try string()
                guard seen.insert(key).inserted else { return false }
                skipWhitespace()
                try expect(UInt8(ascii: ":"), "expected ':' after a member name")
                skipWhitespace()
                if key == streamed {
                    guard peek(UInt8(ascii: "[")), try streamElements(element), member(key, .array([])) else {
                        return false
                    }
                } else {
                    guard member(key, try value()) else { return false }
                }
                skipWhitespace()
                guard peek(UInt8(ascii: ",")) else { break }
                index += 1
            }
        }
        try expect(UInt8(ascii: "}"), "expected ',' or '}' in an object")
        skipWhitespace()
        guard index == bytes.count else { throw error("unexpected '\(character(at: index))' after the JSON value") }
        return true
    }

    private mutating func streamElements(_ element: (JSONValue, Int) -> Bool) throws(JSONSyntaxError) -> Bool {
        index += 1
        skipWhitespace()
        if peek(UInt8(ascii: "]")) {
            index += 1
            return true
        }
        while true {
            skipWhitespace()
            guard element(try value(), index) else { return false }
            skipWhitespace()
            guard peek(UInt8(ascii: ",")) else { break }
            index += 1
        }
        try expect(UInt8(ascii: "]"), "expected ',' or ']' in an array")
        return true
    }

    private mutating func value() throws(JSONSyntaxError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw error("unexpected '\(character(at: index))', expected a value")
        }
    }

    private mutating func object() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        index += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if peek(UInt8(ascii: "}")) {
            index += 1
            depth -= 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard peek(UInt8(ascii: "\"")) else {
                throw error(
                    index < bytes.count && bytes[index] == UInt8(ascii: "}")
                        ? "trailing comma before '}'" : "expected a member name in double quotes")
            }
            let keyStart = index
            let key = try string()
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "expected ':' after a member name")
            skipWhitespace()
            let member: JSONValue
            do {
                member = try value()
            } catch {
                throw error.inside(.member(key))
            }
            if members.updateValue(member, forKey: key) != nil {
                throw self.error("duplicate key \"\(key)\"", at: keyStart).inside(.member(key))
            }
            skipWhitespace()
            if peek(UInt8(ascii: ",")) {
                index += 1
            } else {
                try expect(UInt8(ascii: "}"), "expected ',' or '}' in an object")
                depth -= 1
                return .object(members)
            }
        }
    }

    private mutating func array() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek(UInt8(ascii: "]")) {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            if peek(UInt8(ascii: "]")) { throw error("trailing comma before ']'") }
            do {
                elements.append(try value())
            } catch {
                throw error.inside(.element(elements.count))
            }
            skipWhitespace()
            if peek(UInt8(ascii: ",")) {
                index += 1
            } else {
                try expect(UInt8(ascii: "]"), "expected ',' or ']' in an array")
                depth -= 1
                return .array(elements)
            }
        }
    }

    /// A string without escapes (nearly every one) becomes a `String` straight from the
    /// buffer, without an intermediate array; ASCII needs no UTF-8 validation either.
    private mutating func string() throws(JSONSyntaxError) -> String {
        let start = index
        index += 1
        var high: UInt8 = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = UnsafeBufferPointer(rebasing: bytes[start + 1..<index])
                index += 1
                if high < 0x80 { return String(decoding: text, as: UTF8.self) }
                guard let text = String(validating: text, as: UTF8.self) else {
                    throw error("a string is not valid UTF-8", at: start)
                }
                return text
            }
            if byte < 0x20 { throw error("a control character must be escaped in a string") }
            if byte == UInt8(ascii: "\\") { return try escapedString(from: start) }
            high |= byte
            index += 1
        }
        throw error("unterminated string", at: start)
    }

    /// The rest of a string that has escapes, from its first backslash (`start` is the quote).
    private mutating func escapedString(from start: Int) throws(JSONSyntaxError) -> String {
        var scalars = Array(bytes[start + 1..<index])
        var plainFrom = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                scalars.append(contentsOf: bytes[plainFrom..<index])
                index += 1
                guard let text = String(validating: scalars, as: UTF8.self) else {
                    throw error("a string is not valid UTF-8", at: start)
                }
                return text
            }
            if byte < 0x20 { throw error("a control character must be escaped in a string") }
            if byte == UInt8(ascii: "\\") {
                scalars.append(contentsOf: bytes[plainFrom..<index])
                try escape(into: &scalars)
                plainFrom = index
            } else {
                index += 1
            }
        }
        throw error("unterminated string", at: start)
    }

    /// Reads one escape sequence (at the backslash) and appends its UTF-8 bytes.
    private mutating func escape(into scalars: inout [UInt8]) throws(JSONSyntaxError) {
        let start = index
        index += 1
        guard index < bytes.count else { throw error("unterminated string") }
        let simple: UInt8? =
            switch bytes[index] {
            case UInt8(ascii: "\""): UInt8(ascii: "\"")
            case UInt8(ascii: "\\"): UInt8(ascii: "\\")
            case UInt8(ascii: "/"): UInt8(ascii: "/")
            case UInt8(ascii: "b"): 0x08
            case UInt8(ascii: "f"): 0x0C
            case UInt8(ascii: "n"): 0x0A
            case UInt8(ascii: "r"): 0x0D
            case UInt8(ascii: "t"): 0x09
            default: nil
            }
        if let simple {
            scalars.append(simple)
            index += 1
            return
        }
        guard bytes[index] == UInt8(ascii: "u") else { throw error("invalid escape in a string", at: start) }
        index += 1
        var code = try hex4()
        if (0xD800..<0xDC00).contains(code) {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            else {
                throw error("a high surrogate must be followed by a low one", at: start)
            }
            index += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else {
                throw error("a high surrogate must be followed by a low one", at: start)
            }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00..<0xE000).contains(code) {
            throw error("a lone low surrogate", at: start)
        }
        scalars.append(contentsOf: String(Character(Unicode.Scalar(code)!)).utf8)
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("expected four hex digits after \\u") }
        var code: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("expected four hex digits after \\u")
            }
            code = code << 4 | UInt32(digit)
            index += 1
        }
        return code
    }

    /// `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`: an integer when it has neither
    /// fraction nor exponent and fits `Int`, a `Double` otherwise.
    private mutating func number() throws(JSONSyntaxError) -> JSONValue {
        let start = index
        if peek(UInt8(ascii: "-")) { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("expected a digit", at: index) }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw error("a number cannot start with 0", at: start) }
        } else {
            skipDigits()
        }
        var integral = true
        if peek(UInt8(ascii: ".")) {
            integral = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("expected a digit after '.'") }
            skipDigits()
        }
        if peek(UInt8(ascii: "e")) || peek(UInt8(ascii: "E")) {
            integral = false
            index += 1
            if peek(UInt8(ascii: "+")) || peek(UInt8(ascii: "-")) { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("expected a digit in the exponent") }
            skipDigits()
        }
        // Up to 18 digits always fit an Int: no text to build for the common case.
        if integral, index - start <= 18 {
            var value = 0
            for byte in bytes[start..<index] where byte != UInt8(ascii: "-") {
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return .int(bytes[start] == UInt8(ascii: "-") ? -value : value)
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if integral, let value = Int(text) { return .int(value) }
        guard let value = Double(text), value.isFinite else {
            throw error("the number \(text) is out of range", at: start)
        }
        return .double(value)
    }

    private mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard index + expected.count <= bytes.count, bytes[index..<index + expected.count].elementsEqual(expected)
        else {
            throw error("unexpected '\(character(at: index))', expected a value")
        }
        index += expected.count
    }

    private mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        guard depth <= Self.maxDepth else { throw error("nested more than \(Self.maxDepth) levels deep") }
    }

    private mutating func expect(_ byte: UInt8, _ message: String) throws(JSONSyntaxError) {
        guard peek(byte) else { throw error(index < bytes.count ? message : "unexpected end of input; \(message)") }
        index += 1
    }

    private func peek(_ byte: UInt8) -> Bool {
        index < bytes.count && bytes[index] == byte
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func character(at position: Int) -> String {
        guard position < bytes.count else { return "end of input" }
        let byte = bytes[position]
        return (0x21..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "\\u{\(String(byte, radix: 16))}"
    }

    private func error(_ message: String, at position: Int? = nil) -> JSONSyntaxError {
        let position = min(position ?? index, bytes.count)
        var line = 1
        var lineStart = 0
        for offset in 0..<position where bytes[offset] == 0x0A {
            line += 1
            lineStart = offset + 1
        }
        return JSONSyntaxError(line: line, column: position - lineStart + 1, message: message)
    }
}
