import Foundation
import ManifestBuilder
import ManifestHTTP
import ManifestOrigin
import TestSupport
import Testing

/// Two origin replicas on one PostgreSQL database: a publish through either wakes the long polls
/// held by the other at once, by LISTEN/NOTIFY, with no polling of the log.
@Suite(.postgresCluster)
struct ReplicaWakeupTests {
    @Test("a publish through replica A answers the long polls waiting on replica B")
    func publishWakesOtherReplica() async throws {
        let location = try await StoreKind.postgres.location()
        defer { location.remove() }
        let key = SigningKey()
        let publishing = try await location.originStore()
        let serving = try await location.originStore()
        // No timed checks: only a notification can answer the polls within the test.
        let watcher = PublishWatcher(store: serving, interval: .seconds(3600))
        let replica = OriginController(store: serving, publicKey: key.publicKey, watcher: watcher)
        let ws = workspace(storefront)
        try await withLiveServer(replica.makeRouter()) { port in
            let client = CurlHTTPClient(configuration: .init(timeout: .seconds(30)))
            let polls = (0..<10).map { _ in
                Task { try await client.execute(.init(url: "http://127.0.0.1:\(port)/v1/events?after=0&wait=20")) }
            }
            try await withTimeLimit { while watcher.waiting < 10 { await Task.yield() } }
            let started = ContinuousClock.now
            _ = try await Publisher(compiler: TestCatalog.compiler, key: key, store: publishing).publish(
                ws, now: Date(timeIntervalSince1970: 1_800_000_000))
            for poll in polls {
                let batch = try JSONDecoder().decode(EventBatch.self, from: Data(try await poll.value.body))
                #expect(batch.events.map(\.writeKey) == ["wk_store"])
            }
            #expect(ContinuousClock.now - started < .seconds(10), "answered by the notification, not a deadline")
        }
    }
}
