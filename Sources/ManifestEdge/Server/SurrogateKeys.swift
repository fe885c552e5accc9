import HTTPTypes
import ManifestHTTP

/// Who is sent `Surrogate-Key`: caches, not browsers.
///
/// The keys are for purging: the edge purges by them, and so do a CDN tier or a child edge in
/// front of it. A browser has no use for them, and they name the workspace, source and
/// destinations a document belongs to. Like Fastly, the edge leaves them out of its answers
/// except to a client that says it is a surrogate with `Surrogate-Capability` (Edge
/// Architecture Specification 1.0), as the edge itself does upstream (`RequestPolicy`). That
/// also takes 330 bytes off a settings answer's head, which over HTTP/2 are HPACK-encoded on
/// every hit (bench/tls.sh).
enum SurrogateKeys {
    /// What the edge sends upstream, so that an edge above it keeps the keys in its answers.
    static let capability = HTTPField(name: .surrogateCapability, value: #"manifest-edge="Surrogate/1.0""#)

    /// Whether a request with these fields comes from a surrogate.
    static func wanted(by request: HTTPFields) -> Bool {
        request[.surrogateCapability] != nil
    }

    /// Whether a stored field named `name` goes into an answer for a surrogate or not.
    static func sends(_ name: HTTPField.Name, toSurrogate: Bool) -> Bool {
        toSurrogate || name != .surrogateKey
    }
}
