import HTTPTypes

/// How an edge cache is named, sized, and what it sends upstream.
public struct EdgeConfiguration: Sendable {
    /// This cache's name in `Cache-Status` (RFC 9211).
    public var name: String
    /// The most body and header bytes the cache holds; the least recently used go first.
    public var byteBudget: Int
    /// The request fields that reach the upstream: an allow-list, so that a client's cookies,
    /// `Host`, `X-Forwarded-*` or anything else it invents never reach the origin or shape a
    /// shared response. `Authorization` goes through, and RFC 9111 §3.5 then keeps the answer
    /// out of the shared store unless it says it may be shared.
    public var forwardedRequestFields: [HTTPField.Name]
    /// Paths under these prefixes take no query: it is dropped from the cache key and from the
    /// upstream request, so random query strings cannot fill the cache or reach the origin.
    /// Other paths keep theirs (the URI is the cache key, RFC 9111 §2).
    public var queryFreePrefixes: [String]
    /// Whether POST, PUT, DELETE, PATCH and other unsafe methods are forwarded upstream (and
    /// invalidate what they change, RFC 9111 §4.4) or refused with 405 (a read-only edge).
    public var forwardsUnsafeMethods: Bool
    /// After this many upstream failures in a row, the upstream is left alone for `backoff`
    /// (stale copies answer meanwhile); then one request probes it.
    public var failureThreshold: Int
    public var backoff: Duration
    /// The codings stored responses are compressed with, once each when stored, for clients
    /// that accept them (`Accept-Encoding`); empty sends identity only.
    public var compression: [ContentCoding]

    public static let defaultForwardedRequestFields: [HTTPField.Name] = [
        .accept, .acceptEncoding, .acceptLanguage, .authorization,
    ]

    public init(
        name: String = "manifest-edge", byteBudget: Int = 256 << 20,
        forwardedRequestFields: [HTTPField.Name] = defaultForwardedRequestFields,
        queryFreePrefixes: [String] = ["/v1/projects/", "/next-integrations/"], forwardsUnsafeMethods: Bool = true,
        failureThreshold: Int = 3, backoff: Duration = .seconds(1),
        compression: [ContentCoding] = ContentCoding.allCases
    ) {
        self.name = name
        self.byteBudget = byteBudget
        self.forwardedRequestFields = forwardedRequestFields
        self.queryFreePrefixes = queryFreePrefixes
        self.forwardsUnsafeMethods = forwardsUnsafeMethods
        self.failureThreshold = failureThreshold
        self.backoff = backoff
        self.compression = compression
    }
}

/// What to invalidate.
public enum PurgeTarget: Hashable, Sendable {
    /// Every stored variant of one path.
    case path(String)
    /// Every stored response whose `Surrogate-Key` lists this key.
    case surrogateKey(String)
    case all
}
