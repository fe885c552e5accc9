import Foundation
import HTTPTypes
import ManifestBuilder
@testable import ManifestControl
@testable import ManifestEdge
import Testing

/// An API change reaches real edges on loopback (through the origin's invalidation stream) and
/// a simulated Analytics.js client; and how long that takes, measured.
@Suite struct EdgePropagationTests {
    static let writeKey = "wk_acme_web_store_3f9a"
    static let kiss = "/v1/workspaces/ws_acme/sources/src_acme_web_store/destinations/kiss"

    /// Polls every edge until each serves `version` or later; the time from `start`. Each poll
    /// is a real request, so this waits without sleeping.
    static func waitForEdges(_ ports: [Int], version: Int, since start: ContinuousClock.Instant) async throws -> Duration {
        let deadline = start + .seconds(5)
        for port in ports {
            let edge = CurlUpstream(baseURL: "http://127.0.0.1:\(port)")
            while true {
                let response = try await edge.fetch("/v1/projects/\(writeKey)/settings", headerFields: [:])
                if let served = response.headerFields[HTTPField.Name("Manifest-Version")!].flatMap(Int.init), served >= version { break }
                guard ContinuousClock.now < deadline else { throw Timeout(port: port, version: version) }
                await Task.yield()
            }
        }
        return ContinuousClock.now - start
    }

    struct Timeout: Error { var port: Int; var version: Int }

    @Test func anAPIChangeReachesEveryEdgeAndAClientQuickly() async throws {
        try await withControlPlane(loading: [Fixtures.acme]) { harness, client in
            let api = client.with(token: try await harness.token(.write, workspace: "ws_acme"))
            let deployment = try await LoopbackDeployment.start(
                store: harness.origin, publicKey: harness.signingKey.publicKey, edges: 2, logger: harness.logs.quietLogger())
            do {
                let created = try await api.post("/v1/workspaces/ws_acme/sources/src_acme_web_store/destinations", [
                    "id": "kiss", "destination": "KISSmetrics", "mode": "device", "enabled": false, "settings": ["apiKey": "k"],
                ])
                #expect(created.status == 201)
                let version = try #require(try await harness.origin.latest(writeKey: Self.writeKey)).version
                _ = try await Self.waitForEdges(deployment.edgePorts, version: version, since: .now)
                var samples: [Duration] = []
                var writes: [Duration] = []
                for round in 0..<20 {
                    let start = ContinuousClock.now
                    let toggled = try await api.patch(Self.kiss, ["enabled": .bool(round % 2 == 0)])
                    writes.append(ContinuousClock.now - start)
                    let published = try #require(toggled["manifest"]?["version"]?.intValue)
                    samples.append(try await Self.waitForEdges(deployment.edgePorts, version: published, since: start))
                }
                let sorted = samples.sorted()
                let (p50, maximum) = (sorted[sorted.count / 2], sorted.last!)
                try Self.record(samples: sorted, writes: writes.sorted())
                // A debug build sharing two cores with the rest of the suite: a regression guard.
                // The goal (p50 under 100 ms, max under 1 s) is measured on a release build by
                // bench/control.sh.
                #expect(p50 < .milliseconds(500), "p50 \(p50)")
                #expect(maximum < .seconds(2), "max \(maximum)")

                let analytics = AnalyticsClient(
                    writeKey: Self.writeKey, fetcher: CurlUpstream(baseURL: "http://127.0.0.1:\(deployment.edgePorts[0])"),
                    verifier: ManifestVerifier(keys: [harness.signingKey.publicKey]), clock: SystemClock(),
                    cdnBase: "http://127.0.0.1:1", useBrowserCache: false)
                let page = await analytics.loadPage()
                #expect(page.destinations.contains("KISSmetrics") == false, "the last toggle disabled it: \(page)")
                _ = try await api.patch(Self.kiss, ["enabled": true])
                _ = try await Self.waitForEdges(deployment.edgePorts, version: published(harness) , since: .now)
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

    /// Writes the samples where `CONTROL_BENCH_OUT` says, for the README's numbers; silent otherwise.
    static func record(samples: [Duration], writes: [Duration]) throws {
        guard let path = ProcessInfo.processInfo.environment["CONTROL_BENCH_OUT"] else { return }
        func milliseconds(_ values: [Duration]) -> String {
            values.map { String(format: "%.1f", Double($0.components.attoseconds) / 1e15 + Double($0.components.seconds) * 1000) }
                .joined(separator: " ")
        }
        let text = "api write -> 2 loopback edges serving it, \(samples.count) samples, sorted ms: \(milliseconds(samples))\n"
            + "api write alone (PATCH incl. publish), sorted ms: \(milliseconds(writes))\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }
}
