import Foundation
import ManifestBuilder
import ManifestHTTP
import NIOCore
import Synchronization
import TestSupport
import Testing

@testable import ManifestOrigin

/// Long polls are woken by the publish itself, or from one check of the log for all of them.
@Suite("Publish watcher: pushed publishes, one check of the log for every waiting long poll")
struct PublishWatcherTests {
    @Test("twenty waiting polls are answered by the publish's signal: no check of the log, one read of the events")
    func signalWakesAll() async throws {
        let origin = try await PublishedOrigin.make()
        let store = CountingStore(inner: origin.store)
        // No timed checks during the test: only the store's signal wakes the waiters.
        let watcher = PublishWatcher(store: store, interval: .seconds(3600))
        let server = OriginController(store: store, publicKey: origin.key.publicKey, watcher: watcher)
        try await withLiveServer(server.makeRouter()) { port in
            let client = CurlHTTPClient(configuration: .init(timeout: .seconds(30)))
            let polls = (0..<20).map { _ in
                Task {
                    try await client.execute(.init(url: "http://127.0.0.1:\(port)/v1/events?after=1&wait=20"))
                }
            }
            try await withTimeLimit {
                while watcher.waiting < 20 { await Task.yield() }
            }
            try await origin.publish(trackPages: false, at: PublishedOrigin.start.addingTimeInterval(60))
            for poll in polls {
                let batch = try JSONDecoder().decode(EventBatch.self, from: Data(try await poll.value.body))
                #expect(batch.events.map(\.sequence) == [2])
            }
            // One read each before waiting, then one read for all twenty.
            #expect(store.counts.withLock { $0 } == Counts(events: 21, lastSequence: 0))
            #expect(watcher.waiting == 0)
        }
    }

    @Test("polls woken from the same sequence share one encoded answer: one encoding, not one per poll")
    func sharedAnswer() async throws {
        let origin = try await PublishedOrigin.make()
        let watcher = PublishWatcher(store: origin.store, interval: .seconds(3600))
        let polls = (0..<3).map { _ in Task { await watcher.wait(after: 1, until: .now + .seconds(3600)) } }
        try await withTimeLimit { while watcher.waiting < 3 { await Task.yield() } }
        try await origin.publish(trackPages: false, at: PublishedOrigin.start.addingTimeInterval(60))
        var answers: [ByteBuffer] = []
        for poll in polls { answers.append(try #require(await poll.value)) }
        let batch = try JSONDecoder().decode(EventBatch.self, from: Data(answers[0].readableBytesView))
        #expect(batch.events.map(\.sequence) == [2] && batch.last == 2)
        let storage = answers.map { $0.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) } }
        #expect(Set(storage).count == 1, "every answer points at the same bytes")
    }

    @Test("when the only waiter leaves early, the checking loop ends, and the next poll is answered at its deadline")
    func cancelledWaiter() async throws {
        let origin = try await PublishedOrigin.make()
        let watcher = PublishWatcher(store: origin.store, interval: .seconds(3600))
        let token = watcher.watch(after: 1, until: .now + .seconds(3600)) { _ in }
        watcher.cancel(token)
        // Without an end the loop used to stop but still count as running: nobody checked again.
        try await withTimeLimit { while watcher.isChecking { await Task.yield() } }
        let short = try await withTimeLimit(.seconds(20)) {
            await watcher.wait(after: 1, until: .now + .milliseconds(100))
        }
        #expect(short == nil)
        #expect(watcher.waiting == 0)
    }

    @Test("a poll that comes in with an earlier deadline than those waiting is answered at its deadline")
    func shortDeadline() async throws {
        let origin = try await PublishedOrigin.make()
        // No timed checks of the log: only deadlines end these waits.
        let watcher = PublishWatcher(store: origin.store, interval: .seconds(3600))
        let long = Task { await watcher.wait(after: 1, until: .now + .seconds(3600)) }
        try await withTimeLimit { while watcher.waiting < 1 { await Task.yield() } }
        let short = try await withTimeLimit(.seconds(20)) {
            await watcher.wait(after: 1, until: .now + .milliseconds(100))
        }
        #expect(short == nil, "nothing was published: the short wait ends empty")
        #expect(watcher.waiting == 1)
        long.cancel()
    }

    @Test("a publish the store does not signal (another process's, on SQLite) is seen at the next timed check")
    func timedCheck() async throws {
        let origin = try await PublishedOrigin.make()
        let store = CountingStore(inner: origin.store, signals: PublishSignals(coversOtherProcesses: false))
        let watcher = PublishWatcher(store: store, interval: .milliseconds(10))
        let server = OriginController(store: store, publicKey: origin.key.publicKey, watcher: watcher)
        try await withLiveServer(server.makeRouter()) { port in
            let client = CurlHTTPClient(configuration: .init(timeout: .seconds(30)))
            let polls = (0..<5).map { _ in
                Task {
                    try await client.execute(.init(url: "http://127.0.0.1:\(port)/v1/events?after=1&wait=20"))
                }
            }
            try await withTimeLimit {
                while watcher.waiting < 5 { await Task.yield() }
            }
            try await origin.publish(trackPages: false, at: PublishedOrigin.start.addingTimeInterval(60))
            for poll in polls {
                let batch = try JSONDecoder().decode(EventBatch.self, from: Data(try await poll.value.body))
                #expect(batch.events.map(\.sequence) == [2])
            }
        }
    }
}

struct Counts: Equatable {
    var events = 0
    var lastSequence = 0
}

/// Counts the reads the long polls make.
final class CountingStore: OriginStore {
    let inner: any OriginStore
    let counts = Mutex(Counts())

    let publishSignals: PublishSignals

    /// `signals`: the store's own (default), or others, to stand for publishes it is not told of.
    init(inner: any OriginStore, signals: PublishSignals? = nil) {
        self.inner = inner
        self.publishSignals = signals ?? inner.publishSignals
    }

    func append<Plan: Sendable>(
        writeKeys: [String]?, _ prepare: @escaping @Sendable ([String: PublishedHead]) throws -> (PublishBatch, Plan)
    ) async throws -> Plan { try await inner.append(writeKeys: writeKeys, prepare) }
    func latest(writeKey: String) async throws -> SignedManifest? { try await inner.latest(writeKey: writeKey) }
    func manifest(writeKey: String, version: Int) async throws -> SignedManifest? {
        try await inner.manifest(writeKey: writeKey, version: version)
    }
    func history(writeKey: String) async throws -> [ManifestVersionInfo] { try await inner.history(writeKey: writeKey) }
    func bundle(path: String) async throws -> BundleArtifact? { try await inner.bundle(path: path) }
    func events(after sequence: Int64, limit: Int) async throws -> [PublishEvent] {
        counts.withLock { $0.events += 1 }
        return try await inner.events(after: sequence, limit: limit)
    }
    func lastSequence() async throws -> Int64 {
        counts.withLock { $0.lastSequence += 1 }
        return try await inner.lastSequence()
    }
}
