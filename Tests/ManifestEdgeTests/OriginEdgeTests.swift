import Foundation
import HTTPTypes
import ManifestBuilder
import ManifestHTTP
import ManifestOrigin
import TestSupport
import Testing

@testable import ManifestEdge

@Suite("Origin and edge together on loopback")
struct OriginEdgeTests {
    @Test("settings and bundles through the edge; a publish and a purge by surrogate key bring the new version")
    func publishAndPurge() async throws {
        let origin = try await PublishedOrigin.make()
        let clock = ManualClock(PublishedOrigin.start)
        let server = OriginController(store: origin.store, publicKey: origin.key.publicKey, workspaceID: "ws_origin")
        try await withLiveServer(server.makeRouter()) { originPort in
            let cache = EdgeCache(
                upstream: CurlUpstream(baseURL: "http://127.0.0.1:\(originPort)", timeout: .seconds(30)), clock: clock,
                logger: .test)
            try await withEdgeServer(EdgeResponder(cache: cache, purgeToken: "token")) { edgePort in
                let edge = Fetcher(port: edgePort)
                let verifier = ManifestVerifier(keys: [origin.key.publicKey])
                func verifiedVersion(_ response: CurlHTTPClient.Response) throws -> Int {
                    let header = try #require(response.headerFields[.manifestSignature])
                    let (keyID, signature) = try #require(SignedManifest.parseSignatureHeader(header))
                    return try verifier.verify(
                        body: response.body, signature: signature, keyID: keyID,
                        expectedWriteKey: PublishedOrigin.writeKey, now: clock.now()
                    ).version
                }

                let first = try await edge(PublishedOrigin.settingsPath)
                #expect(try verifiedVersion(first) == 1)
                #expect(first.headerFields[.accessControlAllowOrigin] == "*")
                #expect(first.cacheStatus.contains("fwd=miss"))

                // The bundle the manifest names comes through the edge with the bytes its SRI hash covers.
                let document = try JSONDecoder().decode(JSONValue.self, from: Data(first.body))
                guard case .object(let root) = document, case .object(let delivery)? = root["delivery"],
                    case .array(let bundles)? = delivery["bundles"], case .object(let bundle)? = bundles.first,
                    case .string(let url)? = bundle["url"], case .string(let integrity)? = bundle["integrity"]
                else {
                    Issue.record("the manifest lists no bundle")
                    return
                }
                let path = String(url.dropFirst("http://127.0.0.1:1".count))
                let script = try await edge(path)
                #expect(script.status == .ok)
                #expect(script.headerFields[.contentType] == BundleArtifact.contentType)
                #expect(BundleArtifact(destinationID: "", path: path, bytes: script.body).integrity == integrity)

                try await origin.publish(trackPages: false, at: PublishedOrigin.start.addingTimeInterval(60))
                clock.advance(by: .seconds(60))
                let cached = try await edge(PublishedOrigin.settingsPath)
                #expect(try verifiedVersion(cached) == 1)
                #expect(cached.cacheStatus.contains("hit"))

                let purge = try await edge.client.execute(
                    .init(
                        method: .post,
                        url: "http://127.0.0.1:\(edgePort)/.edge/purge?key=writekey:\(PublishedOrigin.writeKey)&soft=1",
                        headerFields: [.authorization: "Bearer token"]))
                #expect(purge.status == .ok)
                let fresh = try await edge(PublishedOrigin.settingsPath)
                #expect(try verifiedVersion(fresh) == 2)
                #expect(fresh.cacheStatus.contains("fwd=stale; fwd-status=200"))
                #expect(try await edge(PublishedOrigin.settingsPath).cacheStatus.contains("hit"))
            }
        }
    }
}
