import Foundation
import HTTPTypes
import ManifestHTTP

/// RFC 9110 §14: what a `Range` request gets from a stored complete response.
enum ByteRange: Equatable {
    /// No range applies (none asked, several asked, unreadable, or `If-Range` does not match): the whole response.
    case whole
    /// One range of bytes: a 206.
    case partial(Range<Int>)
    /// The range lies past the end: a 416.
    case unsatisfiable

    /// Reads a single `bytes=` range (`first-last`, `first-`, `-suffix`) against a body of
    /// `length` bytes. Several ranges are answered with the whole response, which the RFC allows.
    static func requested(_ fields: HTTPFields, length: Int, entityTag: String?, lastModified: String?) -> ByteRange {
        guard let value = fields[.range] else { return .whole }
        if let condition = fields[.ifRange],
            !ifRangeMatches(condition, entityTag: entityTag, lastModified: lastModified)
        {
            return .whole
        }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes="), !trimmed.contains(",") else { return .whole }
        let spec = trimmed.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        let bounds = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard bounds.count == 2 else { return .whole }
        let first = bounds[0].trimmingCharacters(in: .whitespaces)
        let last = bounds[1].trimmingCharacters(in: .whitespaces)
        if first.isEmpty {
            guard let suffix = digits(last) else { return .whole }
            guard suffix > 0, length > 0 else { return .unsatisfiable }
            return .partial(max(0, length - suffix)..<length)
        }
        guard let start = digits(first) else { return .whole }
        let end = last.isEmpty ? length - 1 : digits(last).map { min($0, length - 1) }
        guard let end, last.isEmpty || digits(last)! >= start else { return .whole }
        guard start < length else { return .unsatisfiable }
        return .partial(start..<(end + 1))
    }

    /// RFC 9110 §13.1.5: an entity tag must match strongly, a date must equal `Last-Modified`.
    private static func ifRangeMatches(_ condition: String, entityTag: String?, lastModified: String?) -> Bool {
        if condition.hasPrefix("\"") { return entityTag == condition }
        if condition.hasPrefix("W/") { return false }
        guard let asked = HTTPDate.parse(condition), let modified = lastModified.flatMap(HTTPDate.parse) else {
            return false
        }
        return asked == modified
    }

    private static func digits(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return nil
        }
        return Int(text) ?? Int.max
    }
}
