import Foundation
import ManifestBuilder
import Synchronization
import TestSupport
import Testing

/// What every origin store promises, proven against SQLite and PostgreSQL alike.
@Suite(.postgresCluster)
struct OriginStoreContractTests {
    let key = SigningKey()
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let ws = workspace(storefront, source("app", .mobile, [instance("amp-app", "Amplitude", .device)]))

    func publisher(_ store: any OriginStore) -> Publisher {
        Publisher(compiler: TestCatalog.compiler, key: key, store: store)
    }

    @Test("a publish reads back: latest, each version, history, bundles, events", arguments: StoreKind.allCases)
    func readBack(kind: StoreKind) async throws {
        let location = try await kind.location()
        defer { location.remove() }
        let store = try await location.originStore()
        #expect(try await store.lastSequence() == 0)
        _ = try await publisher(store).publish(ws, now: start)
        var changed = ws
        changed.sources[0].instances[0].settings["trackPages"] = false
        _ = try await publisher(store).publish(changed, now: start.addingTimeInterval(60))

        let latest = try #require(try await store.latest(writeKey: "wk_store"))
        #expect(latest.version == 2)
        #expect(ManifestVerifier(keys: [key.publicKey]).isValid(latest, now: start.addingTimeInterval(60)))
        #expect(try await store.manifest(writeKey: "wk_store", version: 1)?.body != latest.body)
        #expect(try await store.manifest(writeKey: "wk_store", version: 3) == nil)
        let history = try await store.history(writeKey: "wk_store")
        #expect(history.map(\.version) == [1, 2])
        #expect(history[1].size == latest.body.count)
        #expect(history[1].publishedAt == start.addingTimeInterval(60))
        let classic = try #require(TestCatalog.bundles["amplitude"])
        #expect(try await store.bundle(path: classic.path)?.bytes == classic.bytes)
        #expect(try await store.bundle(path: "/nope.js") == nil)
        let events = try await store.events(after: 0, limit: 10)
        #expect(events.map(\.writeKey).sorted() == ["wk_app", "wk_store", "wk_store"])
        #expect(events.last?.writeKey == "wk_store" && events.last?.version == 2)
        #expect(events.last?.surrogateKeys == latest.surrogateKeys)
        #expect(try await store.lastSequence() == events.last?.sequence)
        #expect(try await store.events(after: events[1].sequence, limit: 10) == [events[2]])
    }

    @Test("the log is append-only in the database itself", arguments: StoreKind.allCases)
    func appendOnly(kind: StoreKind) async throws {
        let location = try await kind.location()
        defer { location.remove() }
        _ = try await publisher(try await location.originStore()).publish(ws, now: start)
        for sql in [
            "UPDATE manifests SET version = 7", "DELETE FROM manifests", "DELETE FROM bundles",
            "UPDATE bundles SET integrity = 'x'",
        ] {
            await #expect(throws: (any Error).self, "\(sql) must be refused") { try await location.execute(sql) }
        }
        if kind == .postgres {
            await #expect(throws: (any Error).self) { try await location.execute("TRUNCATE manifests") }
        }
        #expect(try await location.originStore().history(writeKey: "wk_store").count == 1)
    }

    @Test(
        "concurrent publishers through separate connections never repeat or skip a version",
        arguments: StoreKind.allCases)
    func concurrentPublishers(kind: StoreKind) async throws {
        let location = try await kind.location()
        defer { location.remove() }
        let rounds = 6
        try await withThrowingTaskGroup(of: Void.self) { group in
            for publisherIndex in 0..<3 {
                let other = publisher(try await location.originStore())
                let (base, start) = (ws, start)
                group.addTask {
                    for round in 0..<rounds {
                        var changed = base
                        changed.sources[0].instances[0].settings["apiKey"] = .string("p\(publisherIndex)-r\(round)")
                        _ = try await other.publish(changed, now: start.addingTimeInterval(Double(round)))
                    }
                }
            }
            try await group.waitForAll()
        }
        let store = try await location.originStore()
        let versions = try await store.history(writeKey: "wk_store").map(\.version)
        #expect(versions == Array(1...versions.count))
        #expect(versions.count >= rounds)
        let events = try await store.events(after: 0, limit: 1000)
        #expect(events.map(\.sequence) == events.map(\.sequence).sorted())
        #expect(events.filter { $0.writeKey == "wk_store" }.map(\.version) == versions)
    }

    @Test("a refused publish appends nothing: a bundle conflict, a throwing plan", arguments: StoreKind.allCases)
    func refusedPublishAppendsNothing(kind: StoreKind) async throws {
        let location = try await kind.location()
        defer { location.remove() }
        let store = try await location.originStore()
        _ = try await publisher(store).publish(ws, now: start)
        var stubs = TestCatalog.stubs
        stubs["amplitude"] = Array("window.changed = true;".utf8)
        let compiler = ManifestCompiler(
            catalog: TestCatalog.catalog, bundles: try BundleSet(catalog: TestCatalog.catalog, stubs: stubs),
            cdnBase: TestCatalog.cdnBase)
        var changed = ws
        changed.sources[0].instances[0].settings["trackPages"] = false
        await #expect(throws: OriginStoreError.self) {
            try await Publisher(compiler: compiler, key: key, store: store).publish(changed, now: start)
        }
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await store.append(writeKeys: nil) { _ -> (PublishBatch, Int) in throw Refused() }
        }
        #expect(try await store.history(writeKey: "wk_store").count == 1)
        #expect(try await store.events(after: 0, limit: 10).count == 2)
    }

    @Test(
        "a publish through one store object is signalled to another on the same database",
        arguments: StoreKind.allCases)
    func signals(kind: StoreKind) async throws {
        let location = try await kind.location()
        defer { location.remove() }
        let watching = try await location.originStore()
        let publishing = try await location.originStore()
        #expect(watching.publishSignals.coversOtherProcesses == (kind == .postgres))
        let received = AsyncStream<Int64>.makeStream()
        let token = watching.publishSignals.subscribe { received.continuation.yield($0) }
        defer { watching.publishSignals.cancel(token) }
        // PostgreSQL: wait until the listener is listening (it announces the last sequence then).
        if kind == .postgres {
            let first = try await withTimeLimit(.seconds(30)) { await received.stream.first { _ in true } }
            #expect(first == 0)
        }
        _ = try await publisher(publishing).publish(ws, now: start)
        let last = try await publishing.lastSequence()
        let signalled = try await withTimeLimit(.seconds(30)) { await received.stream.first { $0 == last } }
        #expect(signalled == last)
    }
}
