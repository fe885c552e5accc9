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
        let sealed = try JSONDecoder().decode(Workspace.self, from: document ?? Data())
        let stored = StoredWorkspace(workspace: try sealer.open(sealed), revision: revision)
        cache.store(stored)
        return stored
    }

    func save(_ stored: StoredWorkspace, _ db: Database) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let document = try encoder.encode(try sealer.seal(stored.workspace))
        try db.execute(
            sql: """
                INSERT INTO control_workspaces (id, revision, document, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, document = excluded.document,
                    updated_at = excluded.updated_at
                """,
            arguments: [stored.workspace.id, stored.revision, document, Self.milliseconds(Date())])
    }

    func appendAudit(_ entry: AuditEntry, workspace: String, revision: Int64, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO control_audit (workspace_id, at, actor, action, resource, revision, before, after)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                workspace, Self.milliseconds(Date()), entry.actor, entry.action, entry.resource, revision,
                Self.json(entry.before), Self.json(entry.after),
            ])
    }

    static func token(_ row: Row) -> TokenRecord {
        TokenRecord(
            id: row["id"], workspace: row["workspace_id"], name: row["name"],
            scope: TokenScope(rawValue: row["scope"]) ?? .read, secretHash: Array(row["secret_hash"] as Data),
            createdAt: date(row["created_at"]), revokedAt: (row["revoked_at"] as Int64?).map(date))
    }

    static func audit(_ row: Row) -> AuditRecord {
        let entry = AuditEntry(
            actor: row["actor"], action: row["action"], resource: row["resource"],
            before: decodeJSON(row["before"]), after: decodeJSON(row["after"]))
        return AuditRecord(
            sequence: row["sequence"], workspace: row["workspace_id"], at: date(row["at"]),
            entry: entry, revision: row["revision"])
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000) }

    private static func json(_ value: JSONValue?) -> String? {
        value.map { String(decoding: CanonicalJSON.encode($0), as: UTF8.self) }
    }

    private static func decodeJSON(_ text: String?) -> JSONValue? {
        text.flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
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
