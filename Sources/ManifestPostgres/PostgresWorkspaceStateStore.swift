import Foundation
import Logging
import ManifestBuilder
import ManifestControl
import PostgresNIO

/// The control plane's state in PostgreSQL, in the same database as `PostgresOriginStore`: the
/// same tables and encodings as `SQLiteWorkspaceStateStore` (`StoreEncoding`), so import and
/// export move a workspace between them unchanged.
///
/// A write locks the workspace's row (`SELECT ... FOR UPDATE`) before the caller's change reads
/// it, so two control planes on two machines racing against a limit or an `If-Match` cannot both
/// pass their check. The audit table refuses UPDATE, DELETE and TRUNCATE by trigger.
public final class PostgresWorkspaceStateStore: WorkspaceStateStore {
    let database: PostgresDatabase
    let sealer: WorkspaceSealer
    let cache = WorkspaceCache()

    public init(database: PostgresDatabase, sealer: WorkspaceSealer) {
        self.database = database
        self.sealer = sealer
    }

    var logger: Logger { database.logger }

    public func workspace(id: String) async throws -> StoredWorkspace? {
        try await database.client.withConnection { connection in try await load(id, connection, lock: false) }
    }

    public func workspaceIDs() async throws -> [String] {
        var ids: [String] = []
        let rows = try await database.client.query("SELECT id FROM control_workspaces ORDER BY id", logger: logger)
        for try await id in rows.decode(String.self) { ids.append(id) }
        return ids
    }

    public func update<Value: Sendable>(
        workspace id: String, _ change: @escaping @Sendable (StoredWorkspace) throws -> WorkspaceChange<Value>
    ) async throws -> (StoredWorkspace, Value) {
        let (stored, value) = try await database.transaction { connection in
            guard let current = try await load(id, connection, lock: true) else {
                throw WorkspaceStoreError.unknownWorkspace(id)
            }
            let changed = try change(current)
            // A change that changes nothing is no revision and no audit record.
            guard changed.workspace != current.workspace else { return (current, changed.value) }
            let next = StoredWorkspace(workspace: changed.workspace, revision: current.revision + 1)
            try await save(next, connection)
            try await appendAudit(changed.audit, workspace: id, revision: next.revision, connection)
            return (next, changed.value)
        }
        cache.store(stored)
        return (stored, value)
    }

    public func replace(_ workspace: Workspace, audit: AuditEntry) async throws -> StoredWorkspace {
        let stored = try await database.transaction { connection in
            // A workspace that does not exist yet has no row to lock: two imports of a new id
            // serialise on an advisory lock named after it instead.
            try await connection.query(
                "SELECT pg_advisory_xact_lock(hashtext(\("control_workspaces:" + workspace.id)))", logger: logger)
            var revision: Int64 = 0
            let rows = try await connection.query(
                "SELECT revision FROM control_workspaces WHERE id = \(workspace.id) FOR UPDATE", logger: logger)
            for try await current in rows.decode(Int64.self) { revision = current }
            let next = StoredWorkspace(workspace: workspace, revision: revision + 1)
            try await save(next, connection)
            try await appendAudit(audit, workspace: workspace.id, revision: next.revision, connection)
            return next
        }
        cache.store(stored)
        return stored
    }

    public func insertToken(_ token: TokenRecord) async throws {
        try await database.client.query(
            """
            INSERT INTO control_tokens (id, workspace_id, name, scope, secret_hash, created_at)
            VALUES (\(token.id), \(token.workspace), \(token.name), \(token.scope.rawValue),
                    \(ByteBuffer(bytes: token.secretHash)), \(StoreEncoding.milliseconds(token.createdAt)))
            """, logger: logger)
    }

    public func token(id: String) async throws -> TokenRecord? {
        try await tokens("SELECT \(unescaped: Self.tokenColumns) FROM control_tokens WHERE id = \(id)").first
    }

    public func tokens(workspace: String?) async throws -> [TokenRecord] {
        if let workspace {
            try await tokens(
                """
                SELECT \(unescaped: Self.tokenColumns) FROM control_tokens WHERE workspace_id = \(workspace)
                ORDER BY created_at, id
                """)
        } else {
            try await tokens("SELECT \(unescaped: Self.tokenColumns) FROM control_tokens ORDER BY created_at, id")
        }
    }

    public func revokeToken(id: String, at date: Date) async throws -> Bool {
        let rows = try await database.client.query(
            """
            UPDATE control_tokens SET revoked_at = \(StoreEncoding.milliseconds(date))
            WHERE id = \(id) AND revoked_at IS NULL RETURNING id
            """, logger: logger)
        for try await _ in rows.decode(String.self) { return true }
        return false
    }

    public func auditRecords(workspace: String, after: Int64, limit: Int) async throws -> [AuditRecord] {
        try await auditRecords(
            """
            SELECT \(unescaped: Self.auditColumns) FROM control_audit
            WHERE workspace_id = \(workspace) AND sequence > \(after) ORDER BY sequence LIMIT \(limit)
            """)
    }

    public func auditRecords(workspace: String, resource: String, limit: Int) async throws -> [AuditRecord] {
        // An exact prefix test: LIKE would need its wildcards escaped.
        let below = resource + "/"
        return try await auditRecords(
            """
            SELECT \(unescaped: Self.auditColumns) FROM control_audit
            WHERE workspace_id = \(workspace)
              AND (resource = \(resource) OR left(resource, \(Int32(below.count))) = \(below))
            ORDER BY sequence DESC LIMIT \(limit)
            """)
    }
}
