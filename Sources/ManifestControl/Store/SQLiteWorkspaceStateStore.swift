import Foundation
import GRDB
import ManifestBuilder

/// The control plane's state in SQLite (GRDB, WAL): by default the same `origin.sqlite` file as
/// the origin store, in tables of its own.
///
/// A workspace is one JSON document in the `Workspace` format (so import and export are
/// lossless), secrets sealed by `WorkspaceSealer`, with a revision counter. Every write is one
/// `BEGIN IMMEDIATE` transaction that reads the current revision, applies the caller's pure
/// change (which validates), saves revision + 1 and appends the audit record: writers, in this
/// process or another, are serialised by SQLite's write lock, so two racing writes against a
/// limit cannot both pass their check. The audit table refuses UPDATE and DELETE by trigger.
public final class SQLiteWorkspaceStateStore: WorkspaceStateStore {
    private let pool: DatabasePool
    let sealer: WorkspaceSealer
    let cache = WorkspaceCache()

    /// Opens (creating and migrating) the store at `path`.
    public init(path: String, sealer: WorkspaceSealer, busyTimeout: TimeInterval = 5) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        self.pool = try DatabasePool(path: path, configuration: configuration)
        self.sealer = sealer
        try ControlMigrations.migrator.migrate(pool)
    }

    public func workspace(id: String) async throws -> StoredWorkspace? {
        try await mapBusy {
            try await pool.read { [self] db in try load(id, db) }
        }
    }

    public func workspaceIDs() async throws -> [String] {
        try await mapBusy {
            try await pool.read { db in try String.fetchAll(db, sql: "SELECT id FROM control_workspaces ORDER BY id") }
        }
    }

    public func update<Value: Sendable>(
        workspace id: String, _ change: @escaping @Sendable (StoredWorkspace) throws -> WorkspaceChange<Value>
    ) async throws -> (StoredWorkspace, Value) {
        let (stored, value) = try await mapBusy {
            try await pool.writeWithoutTransaction { [self] db in
                var result: (StoredWorkspace, Value)?
                try db.inTransaction(.immediate) {
                    guard let current = try load(id, db) else { throw WorkspaceStoreError.unknownWorkspace(id) }
                    let changed = try change(current)
                    // A change that changes nothing (a PATCH of `{}`) is no revision and no audit record.
                    guard changed.workspace != current.workspace else {
                        result = (current, changed.value)
                        return .rollback
                    }
                    let next = StoredWorkspace(workspace: changed.workspace, revision: current.revision + 1)
                    try save(next, db)
                    try appendAudit(changed.audit, workspace: id, revision: next.revision, db)
                    result = (next, changed.value)
                    return .commit
                }
                return result!
            }
        }
        cache.store(stored)
        return (stored, value)
    }

    public func replace(_ workspace: Workspace, audit: AuditEntry) async throws -> StoredWorkspace {
        let stored = try await mapBusy {
            try await pool.writeWithoutTransaction { [self] db in
                var result: StoredWorkspace?
                try db.inTransaction(.immediate) {
                    let revision =
                        try Int64.fetchOne(
                            db, sql: "SELECT revision FROM control_workspaces WHERE id = ?", arguments: [workspace.id])
                        ?? 0
                    let next = StoredWorkspace(workspace: workspace, revision: revision + 1)
                    try save(next, db)
                    try appendAudit(audit, workspace: workspace.id, revision: next.revision, db)
                    result = next
                    return .commit
                }
                return result!
            }
        }
        cache.store(stored)
        return stored
    }

    public func insertToken(_ token: TokenRecord) async throws {
        try await mapBusy {
            try await pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO control_tokens (id, workspace_id, name, scope, secret_hash, created_at)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        token.id, token.workspace, token.name, token.scope.rawValue, Data(token.secretHash),
                        StoreEncoding.milliseconds(token.createdAt),
                    ])
            }
        }
    }

    public func token(id: String) async throws -> TokenRecord? {
        try await mapBusy {
            try await pool.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM control_tokens WHERE id = ?", arguments: [id]).map(Self.token)
            }
        }
    }

    public func tokens(workspace: String?) async throws -> [TokenRecord] {
        try await mapBusy {
            try await pool.read { db in
                let rows =
                    if let workspace {
                        try Row.fetchAll(
                            db, sql: "SELECT * FROM control_tokens WHERE workspace_id = ? ORDER BY created_at, id",
                            arguments: [workspace])
                    } else {
                        try Row.fetchAll(db, sql: "SELECT * FROM control_tokens ORDER BY created_at, id")
                    }
                return rows.map(Self.token)
            }
        }
    }

    public func revokeToken(id: String, at date: Date) async throws -> Bool {
        try await mapBusy {
            try await pool.write { db in
                try db.execute(
                    sql: "UPDATE control_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                    arguments: [StoreEncoding.milliseconds(date), id])
                return db.changesCount > 0
            }
        }
    }

    public func auditRecords(workspace: String, after: Int64, limit: Int) async throws -> [AuditRecord] {
        try await mapBusy {
            try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql:
                        "SELECT * FROM control_audit WHERE workspace_id = ? AND sequence > ? ORDER BY sequence LIMIT ?",
                    arguments: [workspace, after, limit]
                ).map(Self.audit)
            }
        }
    }

    public func auditRecords(workspace: String, resource: String, limit: Int) async throws -> [AuditRecord] {
        // An exact prefix test (LIKE would ignore case and need escaping); substr counts code points.
        let below = resource + "/"
        return try await mapBusy {
            try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM control_audit
                        WHERE workspace_id = ? AND (resource = ? OR substr(resource, 1, ?) = ?)
                        ORDER BY sequence DESC LIMIT ?
                        """,
                    arguments: [workspace, resource, below.unicodeScalars.count, below, limit]
                ).map(Self.audit)
            }
        }
    }
}
