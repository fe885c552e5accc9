import Foundation
import Synchronization
import TestSupport
import Testing

@testable import ManifestBuilder

/// Issue 16: a publish compiles, signs and writes in bounded batches inside one transaction,
/// and an unchanged republish signs and writes nothing.
@Suite("Publishing in batches")
final class PublishBatchTests {
    let directory: TemporaryDirectory
    let store: RecordingStore
    let key = SigningKey()
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    /// Seven web sources and a server source (which has no manifest).
    let ws = Workspace(
        id: "ws", name: "W",
        sources: (0..<7).map { number in
            source("web-\(number)", .web, [instance("amp-\(number)", "Amplitude", .device)])
        } + [source("srv", .server, [instance("srv-hook", "Webhooks", .cloud)])])

    init() throws {
        directory = try TemporaryDirectory()
        store = RecordingStore(try SQLiteOriginStore(path: directory.file("origin.sqlite").path))
    }

    deinit {
        directory.remove()
    }

    func publisher(batchSize: Int) -> Publisher {
        Publisher(compiler: TestCatalog.compiler, key: key, store: store, batchSize: batchSize)
    }

    @Test("every batch holds at most batchSize manifests, all in one transaction, with progress per batch")
    func boundedBatches() async throws {
        let progress = Mutex<[Int]>([])
        let result = try await publisher(batchSize: 3).publish(ws, now: start) { done, total in
            #expect(total == 8)
            progress.withLock { $0.append(done) }
        }
        #expect(result.changes.count == 7)
        let batches = store.batches
        #expect(batches.allSatisfy { $0 <= 3 })
        #expect(batches.reduce(0, +) == 7)
        #expect(batches.count >= 3)
        #expect(store.transactions == 1)
        #expect(progress.withLock { $0 } == [3, 6, 8])
        #expect(try await store.events(after: 0, limit: 100).count == 7)
    }

    @Test("an unchanged republish signs and writes no manifest")
    func unchangedWritesNothing() async throws {
        _ = try await publisher(batchSize: 2).publish(ws, now: start)
        store.batches = []
        let again = try await publisher(batchSize: 2).publish(ws, now: start.addingTimeInterval(60))
        #expect(again.changes.isEmpty)
        #expect(again.unchanged == 7)
        #expect(store.batches.allSatisfy { $0 == 0 })
        #expect(try await store.events(after: 0, limit: 100).count == 7)
    }

    @Test("a changed source in a later batch is published with its diff against the stored version")
    func changeInLaterBatch() async throws {
        _ = try await publisher(batchSize: 2).publish(ws, now: start)
        var changed = ws
        changed.sources[6].instances[0].settings["trackPages"] = false
        changed.sources[6].instances.append(instance("mp-6", "Mixpanel", .device))
        let result = try await publisher(batchSize: 2).publish(changed, now: start.addingTimeInterval(60))
        let change = try #require(result.changes.first)
        #expect(result.changes.count == 1)
        #expect(change.writeKey == "wk_web-6" && change.version == 2 && change.reason == .changed)
        #expect(change.diff.added == ["mp-6"])
        #expect(change.diff.changed == ["amp-6"])
        #expect(change.diff.removed.isEmpty)
    }

    @Test("a bundle conflict in the first write appends nothing")
    func bundleConflictAppendsNothing() async throws {
        let other = try BundleSet(catalog: TestCatalog.catalog, stubs: TestCatalog.stubs.mapValues { $0 + [0x20] })
        _ = try await publisher(batchSize: 2).publish(ws, now: start)
        let conflicting = Publisher(
            compiler: ManifestCompiler(catalog: TestCatalog.catalog, bundles: other, cdnBase: "https://cdn"),
            key: key, store: store, batchSize: 2)
        var changed = ws
        changed.sources[0].instances[0].settings["trackPages"] = false
        await #expect(throws: OriginStoreError.self) { try await conflicting.publish(changed, now: start) }
        #expect(try await store.events(after: 0, limit: 100).count == 7)
    }
}

/// Forwards to a real store and records how many manifests each batch written held.
final class RecordingStore: OriginStore, @unchecked Sendable {
    let inner: any OriginStore
    let record = Record()
    /// How many manifests each batch written held, in order.
    var batches: [Int] {
        get { record.batches.withLock { $0 } }
        set { record.batches.withLock { $0 = newValue } }
    }
    var transactions: Int { record.transactions.withLock { $0 } }

    final class Record: Sendable {
        let batches = Mutex<[Int]>([])
        let transactions = Mutex(0)
    }

    init(_ inner: any OriginStore) {
        self.inner = inner
    }

    var publishSignals: PublishSignals { inner.publishSignals }

    func append<Plan: Sendable>(
        writeKeys: [String]?, _ prepare: @escaping @Sendable ([String: PublishedHead]) throws -> (PublishBatch, Plan)
    ) async throws -> Plan {
        record.transactions.withLock { $0 += 1 }
        let record = self.record
        return try await inner.append(writeKeys: writeKeys) { heads in
            let (batch, plan) = try prepare(heads)
            record.batches.withLock { $0.append(batch.manifests.count) }
            return (batch, plan)
        }
    }

    func appendBatches<Plan: Sendable>(
        writeKeys: [String]?,
        _ prepare: @escaping @Sendable (PublishedHeads, (PublishBatch) throws -> Void) throws -> Plan
    ) async throws -> Plan {
        record.transactions.withLock { $0 += 1 }
        let record = self.record
        return try await inner.appendBatches(writeKeys: writeKeys) { heads, write in
            try prepare(heads) { batch in
                record.batches.withLock { $0.append(batch.manifests.count) }
                try write(batch)
            }
        }
    }

    func latest(writeKey: String) async throws -> SignedManifest? { try await inner.latest(writeKey: writeKey) }
    func manifest(writeKey: String, version: Int) async throws -> SignedManifest? {
        try await inner.manifest(writeKey: writeKey, version: version)
    }
    func history(writeKey: String) async throws -> [ManifestVersionInfo] { try await inner.history(writeKey: writeKey) }
    func bundle(path: String) async throws -> BundleArtifact? { try await inner.bundle(path: path) }
    func events(after sequence: Int64, limit: Int) async throws -> [PublishEvent] {
        try await inner.events(after: sequence, limit: limit)
    }
    func lastSequence() async throws -> Int64 { try await inner.lastSequence() }
}
