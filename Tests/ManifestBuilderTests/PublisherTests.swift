import Foundation
import TestSupport
import Testing

@testable import ManifestBuilder

/// What the publisher does with a store; what every store promises (append-only, concurrent
/// publishers, immutable bundles) is `ManifestStoreTests`, run on SQLite and PostgreSQL.
@Suite("Publishing into the SQLite origin store")
final class PublisherTests {
    let directory: TemporaryDirectory
    let store: SQLiteOriginStore
    let key = SigningKey()
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let ws = publishedWorkspace

    init() throws {
        directory = try TemporaryDirectory()
        store = try SQLiteOriginStore(path: directory.file("origin.sqlite").path)
    }

    deinit {
        directory.remove()
    }

    var publisher: Publisher { Publisher(compiler: TestCatalog.compiler, key: key, store: store) }

    @Test("a first publish stores version 1 of every web, mobile and project source, and the bundles")
    func firstPublish() async throws {
        let result = try await publisher.publish(ws, now: start)
        #expect(result.changes.map(\.writeKey).sorted() == ["wk_app", "wk_store"])
        #expect(result.changes.allSatisfy { $0.version == 1 && $0.reason == .new })
        let store = try #require(result.changes.first { $0.writeKey == "wk_store" })
        #expect(store.diff.added == ["Amplitude", "Amplitude North America", "Braze EU", "Order Hook"])
        let latest = try #require(try await self.store.latest(writeKey: "wk_store"))
        #expect(ManifestVerifier(keys: [key.publicKey]).isValid(latest, now: start))
        let classic = try #require(TestCatalog.bundles["amplitude"])
        #expect(try await self.store.bundle(path: classic.path)?.bytes == classic.bytes)
        #expect(try await self.store.latest(writeKey: "wk_srv") == nil)
    }

    @Test("an unchanged workspace publishes nothing; a change publishes only that source, with a diff")
    func republish() async throws {
        _ = try await publisher.publish(ws, now: start)
        let again = try await publisher.publish(ws, now: start.addingTimeInterval(60))
        #expect(again.changes.isEmpty)
        #expect(again.unchanged == 2)

        var changed = ws
        changed.sources[0].instances[0].settings["trackPages"] = false
        changed.sources[0].instances.remove(at: 3)
        changed.sources[0].instances.append(instance("mp", "Mixpanel", .device))
        let result = try await publisher.publish(changed, now: start.addingTimeInterval(120))
        #expect(result.changes.count == 1)
        let change = try #require(result.changes.first)
        #expect(change.writeKey == "wk_store")
        #expect(change.version == 2)
        #expect(change.diff.added == ["mp"])
        #expect(change.diff.removed == ["Order Hook"])
        #expect(change.diff.changed == ["Amplitude"])
        #expect(try await store.history(writeKey: "wk_store").map(\.version) == [1, 2])
    }

    @Test("publishing one source leaves the others alone")
    func publishOneSource() async throws {
        _ = try await publisher.publish(ws, now: start)
        var changed = ws
        changed.sources[0].instances[0].settings["trackPages"] = false
        changed.sources[1].instances[0].settings["trackPages"] = false
        let result = try await publisher.publish(changed, sources: ["app"], now: start)
        #expect(result.changes.map(\.writeKey) == ["wk_app"])
        #expect(result.unchanged == 0)
        #expect(try await store.history(writeKey: "wk_store").count == 1)
        let indexed = try await publisher.publish(changed, sources: ["store"], index: WorkspaceIndex(ws), now: start)
        #expect(indexed.changes.map(\.writeKey) == ["wk_store"])
    }

    @Test("an invalid workspace publishes nothing")
    func invalidPublishesNothing() async throws {
        var invalid = ws
        invalid.sources[0].instances.append(instance("amp-2", "Amplitude", .device, name: "Amplitude Two"))
        await #expect(throws: PublishError.self) { try await publisher.publish(invalid, now: start) }
        #expect(try await store.events(after: 0, limit: 10).isEmpty)
    }

    @Test("an unchanged source is re-signed before it would expire")
    func refresh() async throws {
        _ = try await publisher.publish(ws, now: start)
        let result = try await publisher.publish(ws, now: start.addingTimeInterval(6 * 86_400))
        #expect(result.changes.count == 2)
        #expect(result.changes.allSatisfy { $0.reason == .refreshed && $0.version == 2 && $0.diff.isEmpty })
    }

    @Test("rollback republishes old content as a new, higher version")
    func rollback() async throws {
        _ = try await publisher.publish(ws, now: start)
        var changed = ws
        changed.sources[0].instances.removeAll { $0.destination == "Webhooks" }
        _ = try await publisher.publish(changed, now: start.addingTimeInterval(60))
        let change = try await Rollback(key: key, store: store)(
            writeKey: "wk_store", to: 1, now: start.addingTimeInterval(120))
        #expect(change.version == 3)
        #expect(change.diff.added == ["Order Hook"])
        let history = try await store.history(writeKey: "wk_store")
        #expect(history.map(\.version) == [1, 2, 3])
        #expect(history[2].contentHash == history[0].contentHash)
        let latest = try #require(try await store.latest(writeKey: "wk_store"))
        #expect(ManifestVerifier(keys: [key.publicKey]).isValid(latest, now: start.addingTimeInterval(120)))
        await #expect(throws: PublishError.self) {
            try await Rollback(key: key, store: store)(writeKey: "wk_store", to: 9, now: start)
        }
    }
}
