import HTTPTypes
import NIOCore

/// A response from the next hop (the origin, or a shield edge).
public struct UpstreamResponse: Sendable {
    public var status: HTTPResponse.Status
    public var headerFields: HTTPFields
    public var body: ByteBuffer

    public init(status: HTTPResponse.Status, headerFields: HTTPFields, body: ByteBuffer) {
        self.status = status
        self.headerFields = headerFields
        self.body = body
    }
}

/// Why the next hop gave no response.
public enum UpstreamError: Error, Hashable, Sendable {
    case timeout
    case unreachable(String)
}

/// How the edge fetches from the next hop. Over HTTP with libcurl in production; in process
/// in the deterministic simulation.
public protocol Upstream: Sendable {
    /// GET `path` (with its query) from the next hop, with these request fields.
    func fetch(_ path: String, headerFields: HTTPFields) async throws(UpstreamError) -> UpstreamResponse

    /// Sends a request with another method (and its content) to the next hop, as a proxy
    /// forwards unsafe methods: never cached, never coalesced.
    func send(
        _ method: HTTPRequest.Method, _ path: String, headerFields: HTTPFields, body: ByteBuffer
    ) async throws(UpstreamError) -> UpstreamResponse
}

extension Upstream {
    /// Next hops that only serve reads (the simulation's in-process origin) forward nothing else.
    public func send(
        _ method: HTTPRequest.Method, _ path: String, headerFields: HTTPFields, body: ByteBuffer
    ) async throws(UpstreamError) -> UpstreamResponse {
        throw .unreachable("this upstream does not take \(method.rawValue) requests")
    }
}
