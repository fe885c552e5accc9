import Foundation
import ManifestBuilder
import ManifestControl
import TestSupport
import Testing

/// What every workspace state store promises, proven against SQLite and PostgreSQL alike.
@Suite(.postgresCluster)
struct WorkspaceStoreContractTests {
    let ws = workspace(storefront)

    static func entry(_ action: String, _ resource: String = "workspaces/ws") -> AuditEntry {
        AuditEntry(actor: "t", action: action, resource: resource, before: nil, after: .string(action))
    }

    static func rename(_ name: String) -> @Sendable (StoredWorkspace) throws -> WorkspaceChange<Int> {
        { current in
            var workspace = current.workspace
            workspace.name = name
            return WorkspaceChange(workspace: workspace, audit: entry("rename"), value: Int(current.revision))
        }
    }

    @Test("revisions count changes; a throwing or empty change saves nothing", arguments: StoreKind.allCases)
    func revisions(kind: StoreKind) async throws {
        let location = try await kind.location()
        defer { location.remove() }
        let store = try await location.workspaceStore()
        #expect(try await store.workspace(id: ws.id) == nil)
        await #expect(throws: WorkspaceStoreError.unknownWorkspace(ws.id)) {
            _ = try await store.update(workspace: ws.id, Self.rename("x"))
        }
        #expect(try await store.replace(ws, audit: Self.entry("workspace.import")).revision == 1)
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            _ = try await store.update(workspace: ws.id) { _ -> WorkspaceChange<Int> in throw Refused() }
        }
        let (renamed, value) = try await store.update(workspace: ws.id, Self.rename("Renamed"))
        #expect(renamed.revision == 2 && value == 1)
        let (same, _) = try await store.update(workspace: ws.id, Self.rename("Renamed"))
        #expect(same.revision == 2, "an empty change is no revision")
        let reread = try await location.workspaceStore()
        #expect(try await reread.workspace(id: ws.id) == renamed)
        #expect(try await reread.workspaceIDs() == [ws.id])
        #expect(try await reread.replace(ws, audit: Self.entry("workspace.import")).revision == 3)
        let audit = try await reread.auditRecords(workspace: ws.id, after: 0, limit: 10)
        #expect(audit.map(\.action) == ["workspace.import", "rename", "workspace.import"])
        #expect(audit.map(\.revision) == [1, 2, 3])
        #expect(audit[1].after == .string("rename"))
    }

    @Test("secrets are sealed at rest and opened on read", arguments: StoreKind.allCases)
    func sealedSecrets(kind: StoreKind) async throws {
        let location = try await kind.location()
        defer { location.remove() }
        var secret = ws
        secret.sources[0].instances[0].settings["secretKey"] = "hunter2-secret"
        let store = try await location.workspaceStore()
        _ = try await store.replace(secret, audit: Self.entry("workspace.import"))
        #expect(try await location.workspaceStore().workspace(id: ws.id)?.workspace == secret)
        // The plain secret is nowhere in the stored document.
        let leaks = try await location.count(
            "SELECT count(*) FROM control_workspaces WHERE position('hunter2-secret' in convert_from(document, 'UTF8')) > 0",
            sqlite: "SELECT count(*) FROM control_workspaces WHERE instr(CAST(document AS TEXT), 'hunter2-secret') > 0")
        #expect(leaks == 0)
    }

    @Test("concurrent writers through separate connections each see the other's change", arguments: StoreKind.allCases)
    func concurrentWriters(kind: StoreKind) async throws {
        let location = try await kind.location()
        defer { location.remove() }
        _ = try await location.workspaceStore().replace(ws, audit: Self.entry("workspace.import"))
        let rounds = 8
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<3 {
                let store = try await location.workspaceStore()
                group.addTask {
                    for round in 0..<rounds {
                        _ = try await store.update(workspace: "ws") { current in
                            var workspace = current.workspace
                            workspace.name += "|\(writer).\(round)"
                            return WorkspaceChange(workspace: workspace, audit: Self.entry("append"), value: 0)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let stored = try #require(try await location.workspaceStore().workspace(id: "ws"))
        #expect(stored.revision == Int64(1 + 3 * rounds))
        #expect(stored.workspace.name.split(separator: "|").count == 1 + 3 * rounds, "no write was lost")
    }

    @Test("tokens: insert, list per workspace, revoke once", arguments: StoreKind.allCases)
    func tokens(kind: StoreKind) async throws {
        let location = try await kind.location()
        defer { location.remove() }
        let store = try await location.workspaceStore()
        let created = Date(timeIntervalSince1970: 1_800_000_000.123)
        let first = TokenRecord(
            id: "tok_a", workspace: "ws_a", name: "ci", scope: .write, secretHash: [1, 2, 3], createdAt: created)
        let second = TokenRecord(
            id: "tok_b", workspace: "ws_b", name: "ro", scope: .read, secretHash: [4], createdAt: created + 1)
        try await store.insertToken(first)
        try await store.insertToken(second)
        await #expect(throws: (any Error).self) { try await store.insertToken(first) }
        #expect(try await store.token(id: "tok_a") == first)
        #expect(try await store.tokens(workspace: "ws_b") == [second])
        #expect(try await store.tokens(workspace: nil) == [first, second])
        #expect(try await store.revokeToken(id: "tok_a", at: created + 5))
        #expect(try await !store.revokeToken(id: "tok_a", at: created + 6))
        #expect(try await !store.revokeToken(id: "tok_x", at: created))
        #expect(try await store.token(id: "tok_a")?.revokedAt == created + 5)
    }

    @Test("the audit log is append-only in the database and readable by resource", arguments: StoreKind.allCases)
    func auditLog(kind: StoreKind) async throws {
        let location = try await kind.location()
        defer { location.remove() }
        let store = try await location.workspaceStore()
        _ = try await store.replace(ws, audit: Self.entry("workspace.import"))
        for (name, resource) in [
            ("a", "workspaces/ws/sources/web"), ("b", "workspaces/ws/sources/web2"),
            ("c", "workspaces/ws/sources/web/destinations/amp"),
        ] {
            _ = try await store.update(workspace: ws.id) { current in
                var workspace = current.workspace
                workspace.name = name
                return WorkspaceChange(workspace: workspace, audit: Self.entry(name, resource), value: 0)
            }
        }
        let web = try await store.auditRecords(workspace: ws.id, resource: "workspaces/ws/sources/web", limit: 10)
        #expect(web.map(\.action) == ["c", "a"], "newest first, the resource and what is under it only")
        for sql in ["UPDATE control_audit SET actor = 'x'", "DELETE FROM control_audit"] {
            await #expect(throws: (any Error).self, "\(sql) must be refused") { try await location.execute(sql) }
        }
        #expect(try await store.auditRecords(workspace: ws.id, after: 0, limit: 10).count == 4)
    }
}
