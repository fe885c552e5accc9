import Foundation
import HTTPTypes
import ManifestHTTP

/// RFC 9111's rules for storing a response and judging its freshness, as pure functions of the
/// response (and, for storing, the request).
enum Freshness {
    /// RFC 9110 §15.1: status codes that are heuristically cacheable.
    static let heuristicallyCacheable: Set<Int> = [200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501]

    /// Status codes this cache understands (RFC 9111 §5.2.2.3): `must-understand` lets it store
    /// them despite `no-store`.
    static let understood: Set<Int> = heuristicallyCacheable.union([302, 303, 307, 400, 403, 500, 502, 503, 504])

    /// The share of the time since `Last-Modified` a response is heuristically fresh for, and the cap.
    static let heuristicFraction = 0.1
    static let heuristicCap: TimeInterval = 86_400

    /// A value for an `Age` that cannot be read: old enough that the response is never fresh.
    static let unreadableAge: TimeInterval = 2_147_483_648

    /// RFC 9111 §4.2.1 and §4.2.2: how long the response is fresh. `s-maxage`, then `max-age`, then
    /// `Expires` minus `Date` (the time it arrived when `Date` is missing or invalid; an invalid
    /// `Expires` means already expired); without any of them, a tenth of the time since
    /// `Last-Modified` (at most a day) for heuristically cacheable or `public` responses.
    static func lifetime(
        status: HTTPResponse.Status, directives: CacheDirectives, fields: HTTPFields, date: Date?, received: Date
    ) -> TimeInterval {
        if directives.invalidFreshness { return 0 }
        if let shared = directives.sharedMaxAge { return TimeInterval(shared) }
        if let maxAge = directives.maxAge { return TimeInterval(maxAge) }
        if directives.targeted { return 0 }
        if let expiresValue = fields[values: .expires].first {
            guard fields[values: .expires].count == 1, let expires = HTTPDate.parse(expiresValue) else { return 0 }
            return max(0, expires.timeIntervalSince(date ?? received))
        }
        guard heuristicallyCacheable.contains(status.code) || directives.isPublic,
            let lastModified = fields[.lastModified].flatMap(HTTPDate.parse)
        else { return 0 }
        return min(heuristicCap, max(0, (date ?? received).timeIntervalSince(lastModified) * heuristicFraction))
    }

    /// Whether the response has freshness information of its own (RFC 9111 §3: what lets a cache
    /// store a status code that is not heuristically cacheable).
    static func hasExplicitFreshness(_ directives: CacheDirectives, _ fields: HTTPFields) -> Bool {
        directives.maxAge != nil || directives.sharedMaxAge != nil || directives.invalidFreshness
            || (!directives.targeted && fields[.expires] != nil)
    }

    /// RFC 9111 §5.1: `Age` is a non-negative integer. A list (several field lines, or commas)
    /// counts as its largest member; anything unreadable makes the response too old to be
    /// fresh (stricter than the RFC's "ignore it", which would make it look fresher).
    static func initialAge(_ fields: HTTPFields) -> TimeInterval {
        let members = fields[values: .age].flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
        guard !members.isEmpty else { return 0 }
        var oldest: TimeInterval = 0
        for member in members {
            let trimmed = member.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, trimmed.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                let value = Double(trimmed)
            else { return unreadableAge }
            oldest = max(oldest, min(value, unreadableAge))
        }
        return oldest
    }

    /// RFC 9111 §3 and §3.5: whether a shared cache may store this response to this request.
    static func mayStore(
        _ status: HTTPResponse.Status, _ directives: CacheDirectives, _ fields: HTTPFields, request: EdgeRequest
    ) -> Bool {
        if directives.isPrivate { return false }
        if directives.noStore && !(directives.mustUnderstand && understood.contains(status.code)) { return false }
        // §3.5: a response to a request with credentials only when it says it may be shared.
        if request.headerFields[.authorization] != nil,
            !(directives.isPublic || directives.sharedMaxAge != nil || directives.mustRevalidate)
        {
            return false
        }
        if status == .notModified { return false }
        // §3.3: a part only when the edge can tell which bytes it holds.
        if status == .partialContent, PartialContent(contentRange: fields[.contentRange]) == nil { return false }
        let vary = fields[values: .vary].flatMap { $0.split(separator: ",") }
        if vary.contains(where: { $0.trimmingCharacters(in: .whitespaces) == "*" }) { return false }
        return heuristicallyCacheable.contains(status.code) || directives.isPublic
            || hasExplicitFreshness(directives, fields)
    }
}
