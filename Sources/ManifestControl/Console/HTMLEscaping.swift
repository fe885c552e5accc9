import Mustache

/// HTML escaping for the console's templates (`{{% CONTENT_TYPE: CONSOLE_HTML}}`): the same five
/// characters as Mustache's own HTML content type, on UTF-8 bytes, returning the text untouched
/// when it has none of them (most values). Mustache's escaper walks `Character`s through a
/// dictionary, which made escaping most of the cost of a page of 1,000 rows.
struct ConsoleHTML: MustacheContentType {
    static let name = "CONSOLE_HTML"

    /// Makes the content type known to Mustache, before any template names it.
    static func register() {
        MustacheContentTypes.register(ConsoleHTML(), named: name)
    }

    func escapeText(_ text: String) -> String {
        let utf8 = text.utf8
        guard utf8.contains(where: Self.needsEscaping) else { return text }
        var escaped: [UInt8] = []
        escaped.reserveCapacity(utf8.count + 16)
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "<"): escaped += Array("&lt;".utf8)
            case UInt8(ascii: ">"): escaped += Array("&gt;".utf8)
            case UInt8(ascii: "&"): escaped += Array("&amp;".utf8)
            case UInt8(ascii: "\""): escaped += Array("&quot;".utf8)
            case UInt8(ascii: "'"): escaped += Array("&#39;".utf8)
            default: escaped.append(byte)
            }
        }
        return String(decoding: escaped, as: UTF8.self)
    }

    private static func needsEscaping(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "&")
            || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
    }
}
