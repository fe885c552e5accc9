/// The content codings the edge compresses stored responses with (RFC 9110 §8.4.1), in the
/// order it prefers them when a client accepts several equally.
public enum ContentCoding: String, CaseIterable, Sendable {
    case br
    case gzip

    /// RFC 9110 §12.5.3: the coding to send for an `Accept-Encoding` value, among `available`;
    /// nil means identity. The highest q-value wins, ties go to the edge's preference; `q=0`
    /// refuses a coding, `*` stands for every coding the value does not name, and `x-gzip` is
    /// `gzip`. No field at all means identity: the client has not said it can decode anything.
    static func negotiate(_ acceptEncoding: String?, available: [ContentCoding]) -> ContentCoding? {
        guard let acceptEncoding, !available.isEmpty else { return nil }
        // Without allocating: this runs on every hit.
        var brotli: Double?
        var gzip: Double?
        var wildcard: Double?
        var utf8 = acceptEncoding.utf8[...]
        while !utf8.isEmpty {
            let end = utf8.firstIndex(of: UInt8(ascii: ",")) ?? utf8.endIndex
            let member = utf8[utf8.startIndex..<end]
            utf8 = end == utf8.endIndex ? utf8[end...] : utf8[utf8.index(after: end)...]
            let tokenEnd = member.firstIndex(of: UInt8(ascii: ";")) ?? member.endIndex
            let token = trimmed(member[member.startIndex..<tokenEnd])
            let quality = tokenEnd == member.endIndex ? 1 : Self.quality(member[member.index(after: tokenEnd)...])
            if equalsIgnoringCase(token, "br") {
                brotli = quality
            } else if equalsIgnoringCase(token, "gzip") || equalsIgnoringCase(token, "x-gzip") {
                gzip = quality
            } else if token.elementsEqual("*".utf8) {
                wildcard = quality
            }
        }
        var best: (coding: ContentCoding, quality: Double)?
        for coding in allCases where available.contains(coding) {
            let quality = (coding == .br ? brotli : gzip) ?? wildcard ?? 0
            if quality > 0, quality > best?.quality ?? 0 { best = (coding, quality) }
        }
        return best?.coding
    }

    /// The q-value among a member's parameters: 1 when absent, 0 when unreadable.
    private static func quality(_ parameters: Substring.UTF8View) -> Double {
        for parameter in parameters.split(separator: UInt8(ascii: ";")) {
            let text = trimmed(parameter)
            guard text.count >= 2, text.first.map({ $0 | 0x20 }) == UInt8(ascii: "q"),
                text[text.index(after: text.startIndex)] == UInt8(ascii: "=")
            else { continue }
            let value = Double(Substring(text.dropFirst(2))) ?? -1
            return (0...1).contains(value) ? value : 0
        }
        return 1
    }

    private static func trimmed(_ bytes: Substring.UTF8View) -> Substring.UTF8View {
        let isSpace: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        let start = bytes.firstIndex { !isSpace($0) } ?? bytes.endIndex
        let end = bytes[start...].lastIndex { !isSpace($0) }.map { bytes.index(after: $0) } ?? start
        return bytes[start..<end]
    }

    private static func equalsIgnoringCase(_ bytes: Substring.UTF8View, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        return zip(bytes, UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount))
            .allSatisfy { $0 | 0x20 == $1 }
    }
}
