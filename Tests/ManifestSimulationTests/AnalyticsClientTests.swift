import Foundation
import HTTPTypes
import ManifestBuilder
import ManifestEdge
import ManifestHTTP
import ManifestOrigin
import NIOCore
import TestSupport
import Testing

@testable import ManifestSimulation

/// Serves stored versions of the published origin in the order a test chooses, optionally
/// tampering with them: what a malicious or broken CDN could do.
private struct VersionFeeder: Upstream {
    let store: SQLiteOriginStore
    let versions: [Int]
    let counter = Counter()
    var tamper = false
    var corruptBundles = false

    final class Counter: @unchecked Sendable {
        private var value = 0
        private let lock = NSLock()
        func next() -> Int {
            lock.withLock {
                defer { value += 1 }
                return value
            }
        }
    }

    func fetch(_ path: String, headerFields: HTTPFields) async throws(UpstreamError) -> UpstreamResponse {
        if path.hasPrefix("/next-integrations/") {
            guard let bundle = try? await store.bundle(path: path) else { throw .unreachable("no bundle") }
            let bytes = corruptBundles && path.contains("/actions/") ? bundle.bytes + [0x20] : bundle.bytes
            return UpstreamResponse(
                status: .ok, headerFields: [.contentType: BundleArtifact.contentType], body: ByteBuffer(bytes: bytes))
        }
        let version = versions[min(counter.next(), versions.count - 1)]
        guard let manifest = try? await store.manifest(writeKey: PublishedOrigin.writeKey, version: version) else {
            throw .unreachable("no version \(version)")
        }
        var body = manifest.body
        if tamper, let index = body.firstIndex(of: UInt8(ascii: "t")) { body[index] = UInt8(ascii: "T") }
        return UpstreamResponse(
            status: .ok, headerFields: [.manifestSignature: manifest.signatureHeaderValue],
            body: ByteBuffer(bytes: body))
    }
}

@Suite("Simulated Analytics.js client")
struct AnalyticsClientTests {
    static let cdn = "http://127.0.0.1:1"

    func client(_ origin: PublishedOrigin, _ fetcher: any Upstream, clock: ManualClock, page: [String: JSONValue] = [:])
        -> AnalyticsClient
    {
        AnalyticsClient(
            writeKey: PublishedOrigin.writeKey, fetcher: fetcher,
            verifier: ManifestVerifier(keys: [origin.key.publicKey]),
            clock: clock, cdnBase: Self.cdn, pageIntegrations: page)
    }

    @Test("through a real edge: loads the device-mode destinations, checks bundles, uses the browser cache")
    func throughEdge() async throws {
        let origin = try await PublishedOrigin.make()
        let clock = ManualClock(PublishedOrigin.start)
        let server = OriginController(store: origin.store, publicKey: origin.key.publicKey)
        try await withLiveServer(server.makeRouter()) { originPort in
            let cache = EdgeCache(
                upstream: CurlUpstream(baseURL: "http://127.0.0.1:\(originPort)", timeout: .seconds(30)), clock: clock,
                logger: .test)
            try await withEdgeServer(EdgeResponder(cache: cache, purgeToken: nil)) { edgePort in
                let page = client(
                    origin, CurlUpstream(baseURL: "http://127.0.0.1:\(edgePort)", timeout: .seconds(30)), clock: clock)
                let first = await page.loadPage()
                #expect(first.outcome == .loaded)
                #expect(first.version == 1)
                #expect(first.destinations == ["Amplitude", "Braze EU"])
                #expect(first.failedBundles.isEmpty)
                #expect(!first.fromBrowserCache)

                clock.advance(by: .seconds(30))
                #expect(await page.loadPage().fromBrowserCache)
                clock.advance(by: .seconds(31))
                let revalidated = await page.loadPage()
                #expect(!revalidated.fromBrowserCache)
                #expect(revalidated.version == 1)
                #expect(revalidated.destinations == ["Amplitude", "Braze EU"])
            }
        }
    }

    @Test("the page's integrations option: Name: false, All: false, catalog or instance names for Actions")
    func pageOption() async throws {
        let origin = try await PublishedOrigin.make()
        let clock = ManualClock(PublishedOrigin.start)
        let feeder = VersionFeeder(store: origin.store, versions: [1])
        let cases: [([String: JSONValue], [String])] = [
            (["Amplitude": false], ["Braze EU"]),
            (["All": false], []),
            (["All": false, "Amplitude": true], ["Amplitude"]),
            (["All": false, "Braze Web Mode (Actions)": ["region": "eu"]], ["Braze EU"]),
            (["Braze EU": false], ["Amplitude"]),
        ]
        for (option, expected) in cases {
            let load = await client(origin, feeder, clock: clock, page: option).loadPage()
            #expect(load.destinations == expected, "page option \(option)")
        }
    }

    @Test("a lower version than one already accepted is refused")
    func rollback() async throws {
        let origin = try await PublishedOrigin.make()
        try await origin.publish(trackPages: false, at: PublishedOrigin.start.addingTimeInterval(60))
        let clock = ManualClock(PublishedOrigin.start.addingTimeInterval(120))
        let page = client(origin, VersionFeeder(store: origin.store, versions: [2, 1]), clock: clock)
        #expect(await page.loadPage().version == 2)
        let second = await page.loadPage()
        #expect(second.outcome == .refused("version 1 is lower than version 2 already seen"))
        #expect(second.destinations.isEmpty)
    }

    @Test("a tampered manifest is refused; a bundle that does not match its SRI hash fails alone")
    func tampering() async throws {
        let origin = try await PublishedOrigin.make()
        let clock = ManualClock(PublishedOrigin.start)
        var tampered = VersionFeeder(store: origin.store, versions: [1])
        tampered.tamper = true
        #expect(
            await client(origin, tampered, clock: clock).loadPage().outcome
                == .refused("the signature does not match the manifest bytes"))

        var corrupt = VersionFeeder(store: origin.store, versions: [1])
        corrupt.corruptBundles = true
        let load = await client(origin, corrupt, clock: clock).loadPage()
        #expect(load.outcome == .loaded)
        #expect(load.destinations == ["Amplitude"])
        #expect(load.failedBundles == ["Braze EU"])
    }

    @Test("an expired manifest is refused; a failed fetch loads nothing")
    func expiryAndFailure() async throws {
        let origin = try await PublishedOrigin.make()
        let late = ManualClock(PublishedOrigin.start.addingTimeInterval(8 * 86_400))
        let expired = await client(origin, VersionFeeder(store: origin.store, versions: [1]), clock: late).loadPage()
        guard case .refused(let reason) = expired.outcome else {
            Issue.record("expected a refusal")
            return
        }
        #expect(reason.contains("expired"))
        let silent = try SilentListener()
        let down = AnalyticsClient(
            writeKey: PublishedOrigin.writeKey,
            fetcher: CurlUpstream(baseURL: "http://127.0.0.1:\(silent.port)", timeout: .milliseconds(100)),
            verifier: ManifestVerifier(keys: [origin.key.publicKey]), clock: late, cdnBase: Self.cdn)
        let failed = await down.loadPage()
        #expect(failed.outcome == .fetchFailed("timeout"))
    }
}
