import HTTPTypes
import ManifestHTTP

/// An edge is also an upstream: for clients and edges in the same process (the simulation's
/// shield tier, its clients).
extension EdgeCache: Upstream {
    public func fetch(_ path: String, headerFields: HTTPFields) async throws(UpstreamError) -> UpstreamResponse {
        let answer = await respond(to: EdgeRequest(target: path, headerFields: headerFields))
        return UpstreamResponse(status: answer.status, headerFields: answer.headerFields, body: answer.body)
    }
}
