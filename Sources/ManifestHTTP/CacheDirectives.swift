import Foundation
import HTTPTypes

/// The cache directives of one response, as a shared cache reads them.
///
/// RFC 9213: when a response has `CDN-Cache-Control`, a CDN uses it and ignores
/// `Cache-Control` (and `Expires`) for its own caching. Otherwise RFC 9111 applies: `s-maxage`
/// before `max-age` before `Expires`. `stale-while-revalidate` and `stale-if-error` are RFC 5861.
public struct CacheDirectives: Hashable, Sendable {
    public var maxAge: Int?
    public var sharedMaxAge: Int?
    public var staleWhileRevalidate: Int?
    public var staleIfError: Int?
    public var noStore = false
    public var noCache = false
    public var isPrivate = false
    public var mustRevalidate = false
    /// Whether these came from `CDN-Cache-Control`.
    public var targeted = false

    /// The directives that apply to this edge for a response with these fields.
    public init(_ fields: HTTPFields) {
        if let targeted = fields[.cdnCacheControl] {
            self.init(parsing: targeted)
            self.targeted = true
        } else {
            self.init(parsing: fields[values: .cacheControl].joined(separator: ","))
        }
    }

    /// Parses a comma-separated directive list; unknown directives are ignored, as RFC 9111
    /// requires, and a malformed number makes its directive absent.
    public init(parsing value: String) {
        for item in value.split(separator: ",") {
            // `split` drops empty pieces, so "=" or "=5" has no name: skip it rather than trap.
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let first = parts.first, !first.isEmpty else { continue }
            let name = first.trimmingCharacters(in: .whitespaces).lowercased()
            let argument =
                parts.count > 1
                ? parts[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                : nil
            let seconds = argument.flatMap { Int($0) }.map { max(0, $0) }
            switch name {
            case "max-age": maxAge = seconds
            case "s-maxage": sharedMaxAge = seconds
            case "stale-while-revalidate": staleWhileRevalidate = seconds
            case "stale-if-error": staleIfError = seconds
            case "no-store": noStore = true
            case "no-cache": noCache = true
            case "private": isPrivate = true
            case "must-revalidate", "proxy-revalidate": mustRevalidate = true
            default: continue
            }
        }
    }

    /// Whether a shared cache may store the response at all.
    public var isStorable: Bool { !noStore && !isPrivate }
}
