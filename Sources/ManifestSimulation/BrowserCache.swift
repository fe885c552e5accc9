import Foundation
import HTTPTypes
import ManifestHTTP

/// A browser's private HTTP cache, as far as the settings fetch meets it: a response is reused
/// while `Cache-Control: max-age` (less its `Age`) says it is fresh, and revalidated with
/// `If-None-Match` afterwards. `CDN-Cache-Control` is for CDNs and ignored here.
struct BrowserCache: Sendable {
    private struct Stored: Sendable {
        var response: UpstreamResponse
        var freshUntil: Date
    }

    private var stored: [String: Stored] = [:]

    /// The stored response while it is fresh.
    func fresh(_ path: String, at now: Date) -> UpstreamResponse? {
        guard let entry = stored[path], now < entry.freshUntil else { return nil }
        return entry.response
    }

    /// The validator to revalidate a stale stored response with.
    func entityTag(_ path: String) -> String? {
        stored[path]?.response.headerFields[.eTag]
    }

    /// Stores a 200, or refreshes the stored response on a 304; returns what the page sees.
    mutating func update(_ path: String, with response: UpstreamResponse, at now: Date) -> UpstreamResponse {
        var seen = response
        if response.status == .notModified, let previous = stored[path] {
            seen = previous.response
            for field in response.headerFields where field.name != .contentLength {
                seen.headerFields[field.name] = field.value
            }
            seen.status = previous.response.status
        } else if response.status != .ok {
            return response
        }
        let directives = CacheDirectives(parsing: seen.headerFields[values: .cacheControl].joined(separator: ","))
        let age = seen.headerFields[.age].flatMap(TimeInterval.init) ?? 0
        if directives.isStorable, !directives.noCache, let maxAge = directives.maxAge {
            stored[path] = Stored(response: seen, freshUntil: now.addingTimeInterval(TimeInterval(maxAge) - age))
        } else {
            stored[path] = nil
        }
        return seen
    }
}
