/// Which bytes of a complete representation a stored 206 holds (RFC 9111 §3.3).
///
/// The edge asks its upstream for whole responses and cuts ranges itself, so a 206 reaches it
/// only when the upstream sends one unasked. Such a response is stored when it is a single part
/// with a known complete length; it then answers range requests wholly within its bytes, and
/// two of them with the same strong validator are combined, into a complete response once they
/// cover every byte (§3.4).
struct PartialContent: Sendable, Equatable {
    var range: Range<Int>
    var completeLength: Int

    init(range: Range<Int>, completeLength: Int) {
        self.range = range
        self.completeLength = completeLength
    }

    /// `Content-Range: bytes first-last/complete` of a 206 whose content is `length` bytes (when
    /// given); nil for anything else (several parts, `*` for the complete length, a range that
    /// does not fit).
    init?(contentRange: String?, length: Int? = nil) {
        guard let contentRange, contentRange.hasPrefix("bytes ") else { return nil }
        let value = contentRange.dropFirst("bytes ".count)
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let complete = Int(parts[1]) else { return nil }
        let bounds = parts[0].split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2, let first = Int(bounds[0]), let last = Int(bounds[1]), first >= 0,
            first <= last, last < complete, length.map({ last - first + 1 == $0 }) ?? true
        else { return nil }
        self.init(range: first..<(last + 1), completeLength: complete)
    }

    /// The `Content-Range` value for `bytes` of the complete representation.
    static func contentRange(_ bytes: Range<Int>, of completeLength: Int) -> String {
        "bytes \(bytes.lowerBound)-\(bytes.upperBound - 1)/\(completeLength)"
    }

    /// Whether these bytes hold all of `bytes`.
    func holds(_ bytes: Range<Int>) -> Bool {
        range.lowerBound <= bytes.lowerBound && bytes.upperBound <= range.upperBound
    }

    /// Two parts of the same representation joined, when they overlap or touch; where they
    /// overlap, `newer`'s bytes are kept.
    static func join(
        _ newer: (part: PartialContent, bytes: [UInt8]), _ older: (part: PartialContent, bytes: [UInt8])
    ) -> (part: PartialContent, bytes: [UInt8])? {
        let (a, b) = (newer.part, older.part)
        guard a.completeLength == b.completeLength, a.range.lowerBound <= b.range.upperBound,
            b.range.lowerBound <= a.range.upperBound
        else { return nil }
        let joined = min(a.range.lowerBound, b.range.lowerBound)..<max(a.range.upperBound, b.range.upperBound)
        var bytes = [UInt8](repeating: 0, count: joined.count)
        bytes.replaceSubrange(
            (b.range.lowerBound - joined.lowerBound)..<(b.range.upperBound - joined.lowerBound), with: older.bytes)
        bytes.replaceSubrange(
            (a.range.lowerBound - joined.lowerBound)..<(a.range.upperBound - joined.lowerBound), with: newer.bytes)
        return (PartialContent(range: joined, completeLength: a.completeLength), bytes)
    }
}
