import Foundation
import GRDB
import HTTPTypes
import ManifestBuilder
import Testing

@testable import ManifestControl

/// ETags and `If-Match` stop lost updates; limits hold when many writers race.
@Suite struct ConcurrencyTests {
    static let hotjar = "/v1/workspaces/ws_acme/sources/src_acme_web_store/destinations/di_acme_store_hotjar"

    @Test func aLostUpdateIsRefusedWith412() async throws {
        try await withControlPlane { harness, client in
            let api = client.with(token: try await harness.token(.write, workspace: "ws_acme"))
            let read = try await api.get(Self.hotjar)
            let etag = try #require(read.header(.eTag))
            let first = try await api.patch(Self.hotjar, ["displayName": "Hotjar A"], headers: [.ifMatch: etag])
            #expect(first.status == 200)
            #expect(first.header(.eTag) != etag)
            let second = try await api.patch(Self.hotjar, ["displayName": "Hotjar B"], headers: [.ifMatch: etag])
            #expect(second.status == 412)
            #expect(second.header(.contentType) == "application/problem+json")
            #expect(try await api.delete(Self.hotjar, headers: [.ifMatch: etag]).status == 412)
            #expect(try await api.get(Self.hotjar)["displayName"] == "Hotjar A")
            let current = try #require(first.header(.eTag))
            #expect(try await api.delete(Self.hotjar, headers: [.ifMatch: current]).status == 200)
        }
    }

    @Test func twentyOperatorsRacingForASecondDeviceInstanceHaveOneWinner() async throws {
        try await withControlPlane { harness, client in
            let api = client.with(token: try await harness.token(.write, workspace: "ws_rules"))
            let path = "/v1/workspaces/ws_rules/sources/web/destinations"
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        try await api.post(
                            path,
                            [
                                "destination": "mixpanel", "displayName": .string("Mixpanel \(index)"),
                                "mode": "device", "settings": ["token": "t"],
                            ]
                        ).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1)
            #expect(statuses.filter { $0 == 422 }.count == 19)
            let web = try await harness.store.workspace(id: "ws_rules")!.workspace.source(id: "web")!
            #expect(web.instances.count == 1)
        }
    }

    @Test func racingForTheTwentySixthCloudInstanceHasOneWinner() async throws {
        try await withControlPlane { harness, client in
            var rules = Fixtures.rules
            rules.sources[0].instances = (1...24).map { index in
                DestinationInstance(
                    id: "hook\(index)", name: "Hook \(index)", destination: "Webhooks", mode: .cloud,
                    settings: ["hooks": []])
            }
            try await harness.load(rules)
            let api = client.with(token: try await harness.token(.write, workspace: "ws_rules"))
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        try await api.post(
                            "/v1/workspaces/ws_rules/sources/web/destinations",
                            [
                                "destination": "Webhooks", "displayName": .string("Racer \(index)"), "mode": "cloud",
                                "settings": ["hooks": []],
                            ]
                        ).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1)
            #expect(
                try await harness.store.workspace(id: "ws_rules")!.workspace.source(id: "web")!.instances.count == 25)
        }
    }

    @Test func renamingASourceHonoursIfMatch() async throws {
        try await withControlPlane { harness, client in
            let api = client.with(token: try await harness.token(.write, workspace: "ws_acme"))
            let path = "/v1/workspaces/ws_acme/sources/src_acme_web_docs"
            let etag = try #require(try await api.get(path).header(.eTag))
            #expect(try await api.patch(path, ["displayName": "Docs"], headers: [.ifMatch: etag]).status == 200)
            #expect(try await api.patch(path, ["displayName": "Docs 2"], headers: [.ifMatch: etag]).status == 412)
            #expect(try await api.delete(path, headers: [.ifMatch: etag]).status == 412)
            let other = "/v1/workspaces/ws_acme/sources/src_acme_web_store/destinations/di_acme_store_hotjar"
            let instanceTag = try #require(try await api.get(other).header(.eTag))
            #expect(try await api.patch(path, ["displayName": "Docs 3"]).status == 200, "no If-Match: last writer wins")
            #expect(
                try await api.patch(other, ["enabled": false], headers: [.ifMatch: instanceTag]).status == 200,
                "a source's tag does not cover its destinations")
        }
    }

    @Test func aLockedStoreAnswers503WithRetryAfter() async throws {
        try await withControlPlane(busyTimeout: 0.2) { harness, client in
            let api = client.with(token: try await harness.token(.write, workspace: "ws_acme"))
            // Another process's writer, holding SQLite's write lock until released.
            let holder = try DatabaseQueue(path: harness.directory.appendingPathComponent("origin.sqlite").path)
            let (locked, lockedContinuation) = AsyncStream.makeStream(of: Void.self)
            let release = DispatchSemaphore(value: 0)
            let holding = Task {
                try await holder.writeWithoutTransaction { db in
                    try db.inTransaction(.immediate) {
                        lockedContinuation.yield()
                        release.wait()
                        return .rollback
                    }
                }
            }
            _ = await locked.first { _ in true }
            let busy = try await api.patch(Self.hotjar, ["enabled": false])
            release.signal()
            try await holding.value
            #expect(busy.status == 503)
            #expect(busy.header(.retryAfter) == "1")
            #expect(busy.header(.contentType) == "application/problem+json")
            #expect(try await api.patch(Self.hotjar, ["enabled": false]).status == 200)
        }
    }
}
