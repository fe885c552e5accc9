import HTTPTypes
import ManifestHTTP
import NIOCore

/// Purges a Varnish that runs `deploy/varnish/manifest.vcl`: by surrogate key through the xkey
/// vmod (`PURGE /` with `xkey-purge: key1 key2`), or everything (`BAN /`).
///
/// Only an answer that carries the VCL's acknowledgement counts: a connection failure, a
/// non-2xx status or a 2xx from something else is a `PurgeError`, so that the caller retries
/// instead of dropping the invalidation.
public struct VarnishPurger: Sendable {
    /// The request field that carries the keys to purge, space-separated.
    public static let keysField = HTTPField.Name("xkey-purge")!
    /// The answer's count of objects removed.
    public static let purgedField = HTTPField.Name("Purged")!
    /// The answer's acknowledgement of a ban of everything.
    public static let bannedField = HTTPField.Name("Banned")!
    static let purgeMethod = HTTPRequest.Method("PURGE")!
    static let banMethod = HTTPRequest.Method("BAN")!

    private let varnish: any Upstream

    /// `varnish` is Varnish's listening address, such as `CurlUpstream(baseURL: "http://127.0.0.1:6081")`.
    public init(varnish: any Upstream) {
        self.varnish = varnish
    }

    /// Removes every object tagged with one of `keys` and returns how many Varnish removed.
    /// Keys are the origin's surrogate keys (no spaces or commas: xkey splits on them).
    @discardableResult
    public func purge(keys: [String]) async throws(PurgeError) -> Int {
        guard !keys.isEmpty else { return 0 }
        let response = try await send(Self.purgeMethod, [Self.keysField: keys.joined(separator: " ")])
        guard let count = response.headerFields[Self.purgedField].flatMap({ Int($0) }) else {
            throw .unacknowledged(status: response.status.code)
        }
        return count
    }

    /// Bans every object: for a relay that cannot know what it missed.
    public func purgeEverything() async throws(PurgeError) {
        let response = try await send(Self.banMethod, [:])
        guard response.headerFields[Self.bannedField] != nil else {
            throw .unacknowledged(status: response.status.code)
        }
    }

    private func send(_ method: HTTPRequest.Method, _ fields: HTTPFields) async throws(PurgeError) -> UpstreamResponse {
        let response: UpstreamResponse
        do {
            response = try await varnish.send(method, "/", headerFields: fields, body: ByteBuffer())
        } catch {
            throw PurgeError(error)
        }
        guard (200..<300).contains(response.status.code) else {
            throw .refused(status: response.status.code)
        }
        return response
    }
}
