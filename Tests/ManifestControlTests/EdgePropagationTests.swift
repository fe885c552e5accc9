import Foundation
import HTTPTypes
import ManifestBuilder
import ManifestEdge
import ManifestHTTP
import ManifestSimulation
import Testing

@testable import ManifestControl

/// An API change reaches real edges on loopback (through the origin's invalidation stream) and
/// a simulated Analytics.js client; and how long that takes, measured.
@Suite struct EdgePropagationTests {
    static let writeKey = "wk_acme_web_store_3f9a"
    static let kiss = "/v1/workspaces/ws_acme/sources/src_acme_web_store/destinations/kiss"

    /// Polls every edge until each serves `version` or later; the time from `start`. Each poll
    /// is a real request, so this waits without sleeping.
    static func waitForEdges(_ ports: [Int], version: Int, since start: ContinuousClock.Instant) async throws
        -> Duration
    {
        let deadline = start + .seconds(20)  // a guard against hanging, not a measurement
        for port in ports {
            let edge = CurlUpstream(baseURL: "http://127.0.0.1:\(port)", timeout: .seconds(30))
            while true {
                let response = try await edge.fetch("/v1/projects/\(writeKey)/settings", headerFields: [:])
                if let served = response.headerFields[HTTPField.Name("Manifest-Version")!].flatMap(Int.init),
                    served >= version
                {
                    break
                }
                guard ContinuousClock.now < deadline else { throw Timeout(port: port, version: version) }
                await Task.yield()
            }
        }
        return ContinuousClock.now - start
    }

    struct Timeout: Error {
        var port: Int
        var version: Int
    }

    @Test func anAPIChangeReachesEveryEdgeAndAClient() async throws {
        try await withControlPlane(loading: [Fixtures.acme]) { harness, client in
            let api = client.with(token: try await harness.token(.write, workspace: "ws_acme"))
            let deployment = try await LoopbackDeployment.start(
                store: harness.origin, publicKey: harness.signingKey.publicKey, edges: 2,
                logger: harness.logs.quietLogger())
            do {
                let created = try await api.post(
                    "/v1/workspaces/ws_acme/sources/src_acme_web_store/destinations",
                    [
                        "id": "kiss", "destination": "KISSmetrics", "mode": "device", "enabled": false,
                        "settings": ["apiKey": "k"],
                    ])
                #expect(created.status == 201)
                let version = try #require(try await harness.origin.latest(writeKey: Self.writeKey)).version
                _ = try await Self.waitForEdges(deployment.edgePorts, version: version, since: .now)
                // How fast is bench/control.sh's question (release build); here: every toggle arrives.
                for round in 0..<4 {  // ends disabled
                    let toggled = try await api.patch(Self.kiss, ["enabled": .bool(round % 2 == 0)])
                    let published = try #require(toggled["manifest"]?["version"]?.intValue)
                    _ = try await Self.waitForEdges(deployment.edgePorts, version: published, since: .now)
                }

                let analytics = AnalyticsClient(
                    writeKey: Self.writeKey,
                    fetcher: CurlUpstream(
                        baseURL: "http://127.0.0.1:\(deployment.edgePorts[0])", timeout: .seconds(30)),
                    verifier: ManifestVerifier(keys: [harness.signingKey.publicKey]), clock: SystemClock(),
                    cdnBase: "http://127.0.0.1:1", useBrowserCache: false)
                let page = await analytics.loadPage()
                #expect(page.destinations.contains("KISSmetrics") == false, "the last toggle disabled it: \(page)")
                _ = try await api.patch(Self.kiss, ["enabled": true])
                _ = try await Self.waitForEdges(deployment.edgePorts, version: published(harness), since: .now)
                let reload = await analytics.loadPage()
                #expect(reload.destinations.contains("KISSmetrics"), "\(reload)")
                #expect(reload.failedBundles.isEmpty)
                await deployment.stop()
            } catch {
                await deployment.stop()
                throw error
            }
        }
    }

    func published(_ harness: ControlHarness) async throws -> Int {
        try await harness.origin.latest(writeKey: Self.writeKey)?.version ?? 0
    }

}
