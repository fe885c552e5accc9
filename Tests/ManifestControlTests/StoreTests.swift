import Foundation
import GRDB
import ManifestBuilder
import Testing

@testable import ManifestControl

/// The SQLite store: revisions, the append-only audit log, sharing the origin's file.
@Suite struct StoreTests {
    @Test func theAuditLogRefusesUpdatesAndDeletes() async throws {
        try await withControlPlane(loading: [Fixtures.rules]) { harness, _ in
            let queue = try DatabaseQueue(path: harness.directory.appendingPathComponent("origin.sqlite").path)
            #expect(throws: DatabaseError.self) {
                try queue.write { try $0.execute(sql: "UPDATE control_audit SET actor = 'x'") }
            }
            #expect(throws: DatabaseError.self) { try queue.write { try $0.execute(sql: "DELETE FROM control_audit") } }
            #expect(try await harness.store.auditRecords(workspace: "ws_rules", after: 0, limit: 10).count == 1)
        }
    }

    @Test func aThrowingChangeSavesNothing() async throws {
        try await withControlPlane(loading: [Fixtures.rules]) { harness, _ in
            struct Refused: Error {}
            await #expect(throws: Refused.self) {
                _ = try await harness.store.update(workspace: "ws_rules") { _ -> WorkspaceChange<Int> in throw Refused()
                }
            }
            let stored = try #require(try await harness.store.workspace(id: "ws_rules"))
            #expect(stored.revision == 1)
            let (next, value) = try await harness.store.update(workspace: "ws_rules") { current in
                var workspace = current.workspace
                workspace.name = "Renamed"
                return WorkspaceChange(
                    workspace: workspace,
                    audit: AuditEntry(
                        actor: "t", action: "rename", resource: "r",
                        before: nil, after: nil), value: 7)
            }
            #expect(next.revision == 2 && value == 7)
            let (same, _) = try await harness.store.update(workspace: "ws_rules") { current in
                WorkspaceChange(
                    workspace: current.workspace,
                    audit: AuditEntry(
                        actor: "t", action: "noop", resource: "r",
                        before: nil, after: nil), value: 0)
            }
            #expect(same.revision == 2, "an empty change is no revision")
            #expect(
                try await harness.store.auditRecords(workspace: "ws_rules", after: 0, limit: 10).map(\.action)
                    == ["workspace.import", "rename"])
            #expect(try await harness.store.workspace(id: "ws_rules")?.workspace.name == "Renamed")
        }
    }

    @Test func aSecondStoreOnTheSameFileSeesTheChanges() async throws {
        try await withControlPlane(loading: [Fixtures.rules]) { harness, _ in
            let path = harness.directory.appendingPathComponent("origin.sqlite").path
            let other = try SQLiteWorkspaceStateStore(
                path: path, sealer: WorkspaceSealer(catalog: Fixtures.catalog, key: harness.secrets))
            _ = try await other.update(workspace: "ws_rules") { current in
                var workspace = current.workspace
                workspace.sources.removeLast()
                return WorkspaceChange(
                    workspace: workspace,
                    audit: AuditEntry(
                        actor: "t", action: "a", resource: "r",
                        before: nil, after: nil), value: 0)
            }
            #expect(try await harness.store.workspace(id: "ws_rules")?.workspace.sources.count == 3)
            #expect(try await harness.store.workspaceIDs() == ["ws_rules"])
        }
    }

    @Test func pointersAndDiffs() {
        let map = PointerMap(prefix: "$.sources[1].instances[2]")
        #expect(map.pointer(for: "$.sources[1].instances[2]") == "")
        #expect(map.pointer(for: "$.sources[1].instances[2].name") == "/displayName")
        #expect(map.pointer(for: "$.sources[1].instances[2].settings.apiKey") == "/settings/apiKey")
        #expect(map.pointer(for: "$.sources[1].instances[2].settings[\"a/b c\"]") == "/settings/a~1b c")
        #expect(map.pointer(for: "$.sources[1].instances[2].filters[3].if") == "/filters/3/if")
        #expect(map.pointer(for: "$.sources[1].instances[20]") == nil)
        #expect(map.pointer(for: "$.sources[0].instances[2].mode") == nil)
        #expect(
            JSONDiff.changedPointers(from: ["a": 1, "b": ["c": 2]], to: ["a": 1, "b": ["c": 3], "d": true]) == [
                "/b/c", "/d",
            ])
    }
}
