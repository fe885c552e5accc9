import Foundation
import HTTPTypes
import ManifestControl
import ManifestHTTP

/// The console's view of the edges: the origin's `/v1/subscribers`, fetched with libcurl.
struct OriginSubscribers: EdgeProgressSource {
    let upstream: CurlUpstream

    init(origin: String) {
        upstream = CurlUpstream(baseURL: origin, timeout: .seconds(2))
    }

    func edges() async throws -> [EdgeProgress] {
        let response = try await upstream.fetch("/v1/subscribers", headerFields: [:])
        guard response.status == .ok else { throw UpstreamError.unreachable("HTTP \(response.status.code)") }
        let list = try SubscriberList.decoder.decode(
            SubscriberList.self, from: Data(response.body.readableBytesView))
        return list.subscribers.map { EdgeProgress(name: $0.name, applied: $0.applied) }
    }
}
