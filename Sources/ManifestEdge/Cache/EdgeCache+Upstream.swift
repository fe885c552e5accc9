import HTTPTypes
import ManifestHTTP
import NIOCore

/// An edge is also an upstream: for clients and edges in the same process (the simulation's
/// shield tier, its clients).
extension EdgeCache: Upstream {
    public func fetch(_ path: String, headerFields: HTTPFields) async throws(UpstreamError) -> UpstreamResponse {
        let answer = await respond(to: EdgeRequest(target: path, headerFields: headerFields))
        return UpstreamResponse(status: answer.status, headerFields: answer.headerFields, body: answer.body)
    }

    public func send(
        _ method: HTTPRequest.Method, _ path: String, headerFields: HTTPFields, body: ByteBuffer
    ) async throws(UpstreamError) -> UpstreamResponse {
        let answer = await respond(
            to: EdgeRequest(method: method, target: path, headerFields: headerFields, body: body))
        return UpstreamResponse(status: answer.status, headerFields: answer.headerFields, body: answer.body)
    }
}
