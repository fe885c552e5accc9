/// Caching policy the origin advertises.
///
/// Edges read `CDN-Cache-Control` (RFC 9213) and browsers `Cache-Control`, so the two get
/// separate lifetimes: an edge keeps the latest settings for `edgeTTL` and is purged on publish,
/// while a browser, which nobody can purge, keeps them only for `browserMaxAge`.
public struct OriginCachePolicy: Sendable {
    /// How long an edge serves the latest settings without asking again (`CDN-Cache-Control: max-age`).
    public var edgeTTL: Duration = .seconds(1800)
    /// How long past `edgeTTL` an edge may serve the old settings while it revalidates (RFC 5861).
    public var staleWhileRevalidate: Duration = .seconds(60)
    /// How long past `edgeTTL` an edge may serve the old settings when the origin fails (RFC 5861):
    /// a down origin must not break every page's analytics.
    public var staleIfError: Duration = .seconds(86_400)
    /// How long a browser keeps the latest settings (`Cache-Control: max-age`).
    public var browserMaxAge: Duration = .seconds(60)
    /// How long anyone may cache a 404 or 400 (short negative caching: a write key published a
    /// moment later must appear soon, but a flood of misses must not all reach the origin).
    public var negativeTTL: Duration = .seconds(10)

    public init(
        edgeTTL: Duration = .seconds(1800), staleWhileRevalidate: Duration = .seconds(60),
        staleIfError: Duration = .seconds(86_400), browserMaxAge: Duration = .seconds(60),
        negativeTTL: Duration = .seconds(10)
    ) {
        self.edgeTTL = edgeTTL
        self.staleWhileRevalidate = staleWhileRevalidate
        self.staleIfError = staleIfError
        self.browserMaxAge = browserMaxAge
        self.negativeTTL = negativeTTL
    }
}
