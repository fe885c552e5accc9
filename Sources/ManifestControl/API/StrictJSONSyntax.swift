/// An RFC 8259 syntax check run before decoding a request body.
///
/// Foundation's parser is lenient (it accepts a trailing comma, for one), and a body that is
/// not JSON must be refused, not guessed at. The check also bounds nesting, so a body of a
/// million `[` costs nothing but a 400.
struct StrictJSONSyntax {
    struct Failure: Error {
        var offset: Int
        var reason: String
    }

    private let bytes: [UInt8]
    private let maxDepth: Int
    private var index = 0
    private var depth = 0

    static func check(_ bytes: [UInt8], maxDepth: Int = 64) throws(Failure) {
        var parser = StrictJSONSyntax(bytes: bytes, maxDepth: maxDepth)
        parser.skipWhitespace()
        try parser.value()
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.failure("unexpected text after the JSON value") }
    }

    private init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private func failure(_ reason: String) -> Failure { Failure(offset: index, reason: reason) }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private mutating func value() throws(Failure) {
        switch current {
        case UInt8(ascii: "{"): try container(close: UInt8(ascii: "}"), member: true)
        case UInt8(ascii: "["): try container(close: UInt8(ascii: "]"), member: false)
        case UInt8(ascii: "\""): try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case let byte? where byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte):
            try number()
        default: throw failure("expected a JSON value")
        }
    }

    /// An object (`member`: each element is `"key": value`) or an array; no trailing comma.
    private mutating func container(close: UInt8, member: Bool) throws(Failure) {
        depth += 1
        guard depth <= maxDepth else { throw failure("nested deeper than \(maxDepth) levels") }
        index += 1
        skipWhitespace()
        if current == close {
            index += 1
            depth -= 1
            return
        }
        while true {
            if member {
                guard current == UInt8(ascii: "\"") else { throw failure("expected a member name") }
                try string()
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw failure("expected ':'") }
                index += 1
                skipWhitespace()
            }
            try value()
            skipWhitespace()
            if current == close { break }
            guard current == UInt8(ascii: ",") else { throw failure("expected ',' or the end of the container") }
            index += 1
            skipWhitespace()
        }
        index += 1
        depth -= 1
    }

    private mutating func string() throws(Failure) {
        index += 1
        while let byte = current {
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return
            case UInt8(ascii: "\\"): try escape()
            case ..<0x20: throw failure("control character in a string")
            default: continue
            }
        }
        throw failure("unterminated string")
    }

    private mutating func escape() throws(Failure) {
        guard let byte = current else { throw failure("unterminated escape") }
        index += 1
        if Array("\"\\/bfnrt".utf8).contains(byte) { return }
        guard byte == UInt8(ascii: "u") else { throw failure("invalid escape") }
        for _ in 0..<4 {
            guard let hex = current,
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(hex)
                    || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(hex | 0x20)
            else { throw failure("invalid \\u escape") }
            index += 1
        }
    }

    private mutating func number() throws(Failure) {
        if current == UInt8(ascii: "-") { index += 1 }
        if current == UInt8(ascii: "0") { index += 1 } else { try digits() }
        if current == UInt8(ascii: ".") {
            index += 1
            try digits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            try digits()
        }
    }

    private mutating func digits() throws(Failure) {
        let start = index
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
        guard index > start else { throw failure("expected a digit") }
    }

    private mutating func literal(_ word: String) throws(Failure) {
        for expected in word.utf8 {
            guard current == expected else { throw failure("expected '\(word)'") }
            index += 1
        }
    }
}
