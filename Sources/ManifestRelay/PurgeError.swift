import ManifestHTTP

/// Why Varnish did not acknowledge a purge. Every case means the purge may not have happened,
/// so the relay keeps the event and tries it again.
public enum PurgeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No answer: Varnish is down, the connection was refused or the request timed out.
    case unreachable(String)
    /// An answer other than 2xx, such as the 403 of a client outside the VCL's `purgers` ACL,
    /// or the 405 an origin gives when a Varnish without `manifest.vcl` passes the PURGE on.
    case refused(status: Int)
    /// A 2xx without the field `manifest.vcl` adds (`Purged` or `Banned`): something else
    /// answered, so nothing says the objects are gone.
    case unacknowledged(status: Int)

    init(_ error: UpstreamError) {
        switch error {
        case .timeout: self = .unreachable("timed out")
        case .unreachable(let reason): self = .unreachable(reason)
        }
    }

    public var description: String {
        switch self {
        case .unreachable(let reason): "Varnish did not answer: \(reason)"
        case .refused(let status): "Varnish refused the purge: HTTP \(status)"
        case .unacknowledged(let status):
            "HTTP \(status) without a Purged or Banned field: is Varnish running deploy/varnish/manifest.vcl?"
        }
    }
}
