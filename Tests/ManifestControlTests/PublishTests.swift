import Foundation
import ManifestBuilder
import Synchronization
import Testing

@testable import ManifestControl

/// A successful change republishes exactly the affected source and answers with its version.
@Suite struct PublishTests {
    static let writeKey = "wk_acme_web_store_3f9a"
    static let store = "/v1/workspaces/ws_acme/sources/src_acme_web_store/destinations"

    @Test func enablingADestinationPublishesANewVersionOfThatSourceOnly() async throws {
        try await withControlPlane { harness, client in
            let api = client.with(token: try await harness.token(.write, workspace: "ws_acme"))
            let before = try #require(try await harness.origin.latest(writeKey: Self.writeKey))
            let docsBefore = try await harness.origin.latest(writeKey: "wk_acme_web_docs_81c2")?.version
            let created = try await api.post(
                Self.store,
                [
                    "id": "kiss", "destination": "KISSmetrics", "displayName": "KISSmetrics", "mode": "device",
                    "enabled": true, "settings": ["apiKey": "kiss-key"],
                ])
            #expect(created.status == 201)
            #expect(created["manifest"]?["status"] == "published")
            #expect(created["manifest"]?["version"] == .int(before.version + 1))
            #expect(created["manifest"]?["writeKey"] == .string(Self.writeKey))
            let after = try #require(try await harness.origin.latest(writeKey: Self.writeKey))
            #expect(after.version == before.version + 1)
            #expect(String(decoding: after.body, as: UTF8.self).contains("kiss-key"))
            #expect(try await harness.origin.latest(writeKey: "wk_acme_web_docs_81c2")?.version == docsBefore)

            let renamed = try await api.patch(Self.store + "/kiss", ["displayName": "KISSmetrics US"])
            #expect(renamed["manifest"]?["version"] == .int(before.version + 2))
            let disabledNoop = try await api.patch(Self.store + "/di_acme_store_slack", ["enabled": false])
            #expect(disabledNoop["manifest"]?["status"] == "unchanged")
            #expect(disabledNoop["manifest"]?["version"] == .int(before.version + 2))
        }
    }

    @Test func serverSourcesHaveNoManifest() async throws {
        try await withControlPlane { harness, client in
            let api = client.with(token: try await harness.token(.write, workspace: "ws_acme"))
            let reply = try await api.patch(
                "/v1/workspaces/ws_acme/sources/src_acme_backend/destinations/di_acme_backend_webhooks",
                ["enabled": false])
            #expect(reply.status == 200)
            #expect(reply["manifest"]?["status"] == "none")
        }
    }

    @Test func concurrentWritesEndWithTheLatestStatePublished() async throws {
        try await withControlPlane { harness, client in
            let api = client.with(token: try await harness.token(.write, workspace: "ws_acme"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        _ = try await api.post(
                            Self.store,
                            [
                                "id": .string("hook\(index)"), "destination": "Webhooks",
                                "displayName": .string("Hook \(index)"),
                                "mode": "cloud", "enabled": true, "settings": ["hooks": []],
                            ])
                    }
                }
                try await group.waitForAll()
            }
            let latest = try #require(try await harness.origin.latest(writeKey: Self.writeKey))
            let body = String(decoding: latest.body, as: UTF8.self)
            for index in 0..<8 { #expect(body.contains("Hook \(index)")) }
        }
    }

    @Test func aFailedPublishIsReportedAndARepublishConverges() async throws {
        let flaky = Mutex<FlakyOriginStore?>(nil)
        let wrap: (SQLiteOriginStore) -> any OriginStore = { origin in
            let store = FlakyOriginStore(origin)
            flaky.withLock { $0 = store }
            return store
        }
        try await withControlPlane(loading: [Fixtures.acme], wrapOrigin: wrap) { harness, client in
            let api = client.with(token: try await harness.token(.write, workspace: "ws_acme"))
            let before = try #require(try await harness.origin.latest(writeKey: Self.writeKey)).version
            flaky.withLock { $0?.failing.withLock { $0 = true } }
            let reply = try await api.patch(Self.store + "/di_acme_store_hotjar", ["enabled": false])
            #expect(reply.status == 200, "the change is saved")
            #expect(reply["enabled"] == false)
            #expect(reply["manifest"]?["status"] == "failed")
            #expect(reply["manifest"]?["detail"]?.stringValue?.isEmpty == false)
            #expect(try await harness.origin.latest(writeKey: Self.writeKey)?.version == before)
            #expect(harness.logs.all.contains { $0.hasPrefix("error publish failed") })

            #expect(try await harness.publisher.republishAll() == 1, "still failing: reported")
            flaky.withLock { $0?.failing.withLock { $0 = false } }
            #expect(try await harness.publisher.republishAll() == 0)
            let after = try #require(try await harness.origin.latest(writeKey: Self.writeKey))
            #expect(after.version == before + 1)
            #expect(!String(decoding: after.body, as: UTF8.self).contains("\"Hotjar\""))
            #expect(try await harness.publisher.republishAll() == 0)
            #expect(try await harness.origin.latest(writeKey: Self.writeKey)?.version == before + 1, "idempotent")
        }
    }
}
