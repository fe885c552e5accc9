import Foundation
import HTTPTypes
import RawStructuredFieldValues

/// The cache directives of one response, as a shared cache reads them.
///
/// RFC 9213: when a response has a valid `CDN-Cache-Control` (a Structured Field dictionary,
/// RFC 8941), a CDN uses it and ignores `Cache-Control` and `Expires` for its own caching; an
/// invalid one is ignored as a whole. Otherwise RFC 9111 applies: `s-maxage` before `max-age`
/// before `Expires`. `stale-while-revalidate` and `stale-if-error` are RFC 5861.
///
/// Conservative where the RFCs leave room: a freshness directive whose argument is not a
/// non-negative integer makes the response stale (`invalidFreshness`); a directive given twice
/// keeps its smaller value; a value past 2^31 is 2^31 (RFC 9111 §1.2.2).
public struct CacheDirectives: Hashable, Sendable {
    public var maxAge: Int?
    public var sharedMaxAge: Int?
    public var staleWhileRevalidate: Int?
    public var staleIfError: Int?
    public var noStore = false
    public var noCache = false
    public var isPrivate = false
    public var isPublic = false
    public var mustRevalidate = false
    /// RFC 9111 §5.2.2.3: `no-store` may be ignored when the cache understands the status code.
    public var mustUnderstand = false
    /// RFC 9110 §7.7: an intermediary must not transform the content (no compression).
    public var noTransform = false
    /// A `max-age` or `s-maxage` with an invalid argument: the response is stale on arrival.
    public var invalidFreshness = false
    /// Whether these came from `CDN-Cache-Control`.
    public var targeted = false

    /// The directives that apply to this edge for a response with these fields.
    public init(_ fields: HTTPFields) {
        if let targeted = fields[values: .cdnCacheControl].nonEmptyJoined, let directives = Self(structured: targeted) {
            self = directives
        } else {
            self.init(parsing: fields[values: .cacheControl].joined(separator: ","))
        }
    }

    /// `Cache-Control` syntax (RFC 9111 §5.2): comma-separated, case-insensitive names,
    /// arguments as tokens or quoted strings.
    public init(parsing value: String) {
        for item in value.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1)
            guard let first = parts.first else { continue }
            let name = first.trimmingCharacters(in: .whitespaces).lowercased()
            let argument =
                parts.count > 1
                ? parts[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                : nil
            apply(name, seconds: argument.flatMap(Self.deltaSeconds), hasArgument: argument != nil)
        }
    }

    /// `CDN-Cache-Control` as an RFC 8941 dictionary (RFC 9213 §2.1); nil when it is not one,
    /// so that the whole field is ignored.
    public init?(structured value: String) {
        var parser = StructuredFieldValueParser(Array(value.utf8))
        guard let dictionary = try? parser.parseDictionaryFieldValue() else { return nil }
        self.init()
        targeted = true
        for (name, member) in dictionary {
            switch member {
            case .item(let item):
                switch item.rfc9651BareItem {
                case .bool(true): apply(name, seconds: nil, hasArgument: false)
                case .integer(let seconds):
                    apply(name, seconds: seconds < 0 ? nil : Int(min(seconds, 1 << 31)), hasArgument: true)
                default: apply(name, seconds: nil, hasArgument: true)
                }
            case .innerList: apply(name, seconds: nil, hasArgument: true)
            }
        }
    }

    private init() {}

    private mutating func apply(_ name: String, seconds: Int?, hasArgument: Bool) {
        switch name {
        case "max-age":
            if let seconds { maxAge = min(maxAge ?? seconds, seconds) } else { invalidFreshness = true }
        case "s-maxage":
            if let seconds { sharedMaxAge = min(sharedMaxAge ?? seconds, seconds) } else { invalidFreshness = true }
        case "stale-while-revalidate": staleWhileRevalidate = seconds.map { min(staleWhileRevalidate ?? $0, $0) }
        case "stale-if-error": staleIfError = seconds.map { min(staleIfError ?? $0, $0) }
        case "no-store": noStore = true
        // A qualified `no-cache="field"` (RFC 9111 §5.2.2.4) is treated as unqualified: revalidate.
        case "no-cache": noCache = true
        case "private": isPrivate = true
        case "public": isPublic = true
        case "must-revalidate", "proxy-revalidate": mustRevalidate = true
        case "must-understand": mustUnderstand = true
        case "no-transform": noTransform = true
        default: break
        }
    }

    /// RFC 9111 §1.2.2: delta-seconds is 1*DIGIT; nil for anything else; capped at 2^31.
    private static func deltaSeconds(_ argument: String) -> Int? {
        guard !argument.isEmpty, argument.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        return Int(argument).map { min($0, 1 << 31) } ?? 1 << 31
    }

    /// Whether a shared cache may store the response at all (RFC 9111 §3): not `private`, and
    /// not `no-store` unless `must-understand` covers it (the caller checks the status code).
    public var isStorable: Bool { !noStore && !isPrivate }
}

extension Array where Element == String {
    /// The field lines joined with commas, or nil when there are none.
    fileprivate var nonEmptyJoined: String? { isEmpty ? nil : joined(separator: ", ") }
}
