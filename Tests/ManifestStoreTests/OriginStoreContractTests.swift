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
        "a publish in batches appends every batch; one whose builder fails part-way appends none of them",
        arguments: StoreKind.allCases)
    func batches(kind: StoreKind) async throws {
        let location = try await kind.location()
        defer { location.remove() }
        let store = try await location.originStore()
        let batched = Publisher(compiler: TestCatalog.compiler, key: key, store: store, batchSize: 1)
        _ = try await batched.publish(ws, now: start)
        #expect(Set(try await store.events(after: 0, limit: 10).map(\.writeKey)) == ["wk_app", "wk_store"])
        struct Refused: Error {}
        let written = Mutex(0)
        await #expect(throws: Refused.self) {
            try await store.appendBatches(writeKeys: nil) { _, write -> Int in
                for index in 0..<5 {
                    let bundle = BundleArtifact(destinationID: "d", path: "/b\(index).js", bytes: [UInt8(index)])
                    try write(PublishBatch(manifests: [], bundles: [bundle]))
                    written.withLock { $0 += 1 }
                }
                throw Refused()
            }
        }
        #expect(written.withLock { $0 } == 5)
        for index in 0..<5 { #expect(try await store.bundle(path: "/b\(index).js") == nil) }
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
        #expect(watching.publishSignals.coversOtherProcesses)
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

    @Test("a commit by another process (SQL behind the store's back) is signalled on SQLite too, without polling")
    func otherProcessCommit() async throws {
        let location = try await StoreKind.sqlite.location()
        defer { location.remove() }
        let watching = try await location.originStore()
        let received = AsyncStream<Int64>.makeStream()
        let token = watching.publishSignals.subscribe { received.continuation.yield($0) }
        defer { watching.publishSignals.cancel(token) }
        try await location.execute(
            """
            INSERT INTO manifests (write_key, source_id, version, content_hash, published_at, expires_at, key_id,
                surrogate_keys, body, signature)
            VALUES ('wk_other', 'other', 1, 'sha256-x', 0, 0, 'k', 'wk_other', x'7b7d', x'00')
            """)
        let signalled = try await withTimeLimit(.seconds(30)) { await received.stream.first { _ in true } }
        #expect(signalled == 1)
    }

    @Test(
        "a publish marker reads back, beside others of the same log head, until anything is appended",
        arguments: StoreKind.allCases)
    func publishMarkers(kind: StoreKind) async throws {
        let location = try await kind.location()
        defer { location.remove() }
        let store = try await location.originStore()
        #expect(try await store.publishMarker(inputDigest: "a") == nil)
        _ = try await publisher(store).publish(ws, now: start)
        func record(_ marker: PublishMarker) async throws {
            try await store.append(writeKeys: []) { _ in (PublishBatch(manifests: [], marker: marker), ()) }
        }
        let a = PublishMarker(inputDigest: "a", manifests: 2, refreshAt: start.addingTimeInterval(86_400.75))
        #expect(a.refreshAt == start.addingTimeInterval(86_400))
        try await record(a)
        #expect(try await store.publishMarker(inputDigest: "a") == a)
        #expect(try await store.publishMarker(inputDigest: "b") == nil)
        #expect(try await location.originStore().publishMarker(inputDigest: "a") == a)
        // A publish that appends nothing leaves it current; another digest sits beside it, and
        // the same digest again replaces it.
        #expect(try await publisher(store).publish(ws, now: start.addingTimeInterval(60)).changes.isEmpty)
        let b = PublishMarker(inputDigest: "b", manifests: 1, refreshAt: start)
        let newerA = PublishMarker(inputDigest: "a", manifests: 3, refreshAt: start.addingTimeInterval(60))
        try await record(b)
        try await record(newerA)
        #expect(try await store.publishMarker(inputDigest: "a") == newerA)
        #expect(try await store.publishMarker(inputDigest: "b") == b)
        // Any append makes every marker stale: here a rollback, through another store object.
        _ = try await Rollback(key: key, store: try await location.originStore())(
            writeKey: "wk_store", to: 1, now: start.addingTimeInterval(120))
        #expect(try await store.publishMarker(inputDigest: "a") == nil)
        #expect(try await store.publishMarker(inputDigest: "b") == nil)
        // Recorded in the transaction that appends: current at its commit, and the stale ones
        // are gone from the table.
        var edited = ws
        edited.sources[0].instances[0].settings["trackPages"] = false
        let changed = edited
        let c = PublishMarker(inputDigest: "c", manifests: 2, refreshAt: start.addingTimeInterval(86_400))
        try await store.append(writeKeys: nil) { heads in
            let manifest = try #require(TestCatalog.compiler.compile(changed.sources[0], in: changed))
            let signed = manifest.signed(
                version: heads["wk_store"]!.version + 1, publishedAt: start, validity: 86_400, key: key)
            return (PublishBatch(manifests: [signed], marker: c), ())
        }
        #expect(try await store.publishMarker(inputDigest: "c") == c)
        let markers = "SELECT count(*) FROM publish_markers"
        #expect(try await location.count(markers, sqlite: markers) == 1)
    }

    @Test(
        "a store made before publish markers is migrated on opening, its log kept, and then marks",
        arguments: StoreKind.allCases)
    func migratesStoreWithoutMarkers(kind: StoreKind) async throws {
        let location = try await kind.location()
        defer { location.remove() }
        _ = try await publisher(try await location.originStore()).publish(ws, now: start)
        // Back to the schema of the release before: no table, the migration not applied.
        switch kind {
        case .sqlite:
            try await location.execute(
                "DROP TABLE publish_markers; DELETE FROM grdb_migrations WHERE identifier = 'v2-publish-markers'")
        case .postgres:
            try await location.execute(
                "DROP TABLE publish_markers; DELETE FROM manifest_schema WHERE name = 'v2-publish-markers'")
        }
        let tables = (
            postgres: "SELECT count(*) FROM information_schema.tables WHERE table_name = 'publish_markers'",
            sqlite: "SELECT count(*) FROM sqlite_master WHERE name = 'publish_markers'"
        )
        #expect(try await location.count(tables.postgres, sqlite: tables.sqlite) == 0)

        let store = try await location.originStore()
        #expect(try await location.count(tables.postgres, sqlite: tables.sqlite) == 1)
        #expect(try await store.history(writeKey: "wk_store").count == 1)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("contract-\(UUID().uuidString).json")
        try JSONEncoder().encode(ws).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        // A publish that reads the file reports its one batch; one answered from the marker, none.
        let parses = Mutex(0)
        for minute in 1...2 {
            let result = try await publisher(store).publishFile(
                try MappedFile(file), catalogFile: Data("catalog".utf8), build: "test",
                now: start.addingTimeInterval(Double(minute * 60)),
                progress: { _, _ in parses.withLock { $0 += 1 } })
            #expect(result.changes.isEmpty && result.unchanged == 2)
        }
        #expect(parses.withLock { $0 } == 1)
    }
}
