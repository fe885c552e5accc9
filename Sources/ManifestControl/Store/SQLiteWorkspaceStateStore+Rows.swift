import Foundation
import GRDB
import ManifestBuilder

/// Reading and writing rows: documents, tokens and audit records.
extension SQLiteWorkspaceStateStore {
    /// The workspace at its current revision, from the cache when it is at that revision.
    func load(_ id: String, _ db: Database) throws -> StoredWorkspace? {
        guard
            let revision = try Int64.fetchOne(
                db, sql: "SELECT revision FROM control_workspaces WHERE id = ?", arguments: [id])
        else { return nil }
        if let cached = cache.workspace(id: id, revision: revision) { return cached }
        let document = try Data.fetchOne(
            db, sql: "SELECT document FROM control_workspaces WHERE id = ?", arguments: [id])
        let stored = StoredWorkspace(
            workspace: try StoreEncoding.workspace(document ?? Data(), sealer: sealer), revision: revision)
        cache.store(stored)
        return stored
    }

    func save(_ stored: StoredWorkspace, _ db: Database) throws {
        let document = try StoreEncoding.document(stored.workspace, sealer: sealer)
        try db.execute(
            sql: """
                INSERT INTO control_workspaces (id, revision, document, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, document = excluded.document,
                    updated_at = excluded.updated_at
                """,
            arguments: [stored.workspace.id, stored.revision, document, StoreEncoding.milliseconds(Date())])
    }

    func appendAudit(_ entry: AuditEntry, workspace: String, revision: Int64, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO control_audit (workspace_id, at, actor, action, resource, revision, before, after)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                workspace, StoreEncoding.milliseconds(Date()), entry.actor, entry.action, entry.resource, revision,
                StoreEncoding.json(entry.before), StoreEncoding.json(entry.after),
            ])
    }

    static func token(_ row: Row) -> TokenRecord {
        TokenRecord(
            id: row["id"], workspace: row["workspace_id"], name: row["name"],
            scope: TokenScope(rawValue: row["scope"]) ?? .read, secretHash: Array(row["secret_hash"] as Data),
            createdAt: StoreEncoding.date(row["created_at"]),
            revokedAt: (row["revoked_at"] as Int64?).map(StoreEncoding.date))
    }

    static func audit(_ row: Row) -> AuditRecord {
        let entry = AuditEntry(
            actor: row["actor"], action: row["action"], resource: row["resource"],
            before: StoreEncoding.jsonValue(row["before"]), after: StoreEncoding.jsonValue(row["after"]))
        return AuditRecord(
            sequence: row["sequence"], workspace: row["workspace_id"], at: StoreEncoding.date(row["at"]),
            entry: entry, revision: row["revision"])
    }

    /// Turns SQLite's "database is locked" (after the busy timeout) into `.busy`, which the API
    /// answers with 503 and `Retry-After`.
    func mapBusy<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
        {
            throw WorkspaceStoreError.busy
        }
    }
}
