import Foundation
import ManifestBuilder
import ManifestControl
import PostgresNIO

/// Reading and writing rows: documents, tokens and audit records.
extension PostgresWorkspaceStateStore {
    /// The workspace at its current revision (the row locked until the transaction ends when
    /// `lock`), from the cache when it is at that revision.
    func load(_ id: String, _ connection: PostgresConnection, lock: Bool) async throws -> StoredWorkspace? {
        let rows = try await connection.query(
            """
            SELECT revision FROM control_workspaces WHERE id = \(id) \(unescaped: lock ? "FOR UPDATE" : "")
            """, logger: logger)
        var found: Int64?
        for try await revision in rows.decode(Int64.self) { found = revision }
        guard let revision = found else { return nil }
        if let cached = cache.workspace(id: id, revision: revision) { return cached }
        var document = ByteBuffer()
        for try await bytes in try await connection.query(
            "SELECT document FROM control_workspaces WHERE id = \(id)", logger: logger
        ).decode(ByteBuffer.self) { document = bytes }
        let stored = StoredWorkspace(
            workspace: try StoreEncoding.workspace(Data(document.readableBytesView), sealer: sealer),
            revision: revision)
        cache.store(stored)
        return stored
    }

    func save(_ stored: StoredWorkspace, _ connection: PostgresConnection) async throws {
        let document = ByteBuffer(bytes: try StoreEncoding.document(stored.workspace, sealer: sealer))
        try await connection.query(
            """
            INSERT INTO control_workspaces (id, revision, document, updated_at)
            VALUES (\(stored.workspace.id), \(stored.revision), \(document), \(StoreEncoding.milliseconds(Date())))
            ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, document = excluded.document,
                updated_at = excluded.updated_at
            """, logger: logger)
    }

    func appendAudit(_ entry: AuditEntry, workspace: String, revision: Int64, _ connection: PostgresConnection)
        async throws
    {
        try await connection.query(
            """
            INSERT INTO control_audit (workspace_id, at, actor, action, resource, revision, before, after)
            VALUES (\(workspace), \(StoreEncoding.milliseconds(Date())), \(entry.actor), \(entry.action),
                    \(entry.resource), \(revision), \(StoreEncoding.json(entry.before)), \(StoreEncoding.json(entry.after)))
            """, logger: logger)
    }

    static let tokenColumns = "id, workspace_id, name, scope, secret_hash, created_at, revoked_at"

    func tokens(_ query: PostgresQuery) async throws -> [TokenRecord] {
        var tokens: [TokenRecord] = []
        let rows = try await database.client.query(query, logger: logger)
        for try await (id, workspace, name, scope, secretHash, createdAt, revokedAt) in rows.decode(
            (String, String, String, String, ByteBuffer, Int64, Int64?).self)
        {
            tokens.append(
                TokenRecord(
                    id: id, workspace: workspace, name: name, scope: TokenScope(rawValue: scope) ?? .read,
                    secretHash: Array(secretHash.readableBytesView), createdAt: StoreEncoding.date(createdAt),
                    revokedAt: revokedAt.map(StoreEncoding.date)))
        }
        return tokens
    }

    static let auditColumns = "sequence, workspace_id, at, actor, action, resource, revision, before, after"

    func auditRecords(_ query: PostgresQuery) async throws -> [AuditRecord] {
        var records: [AuditRecord] = []
        let rows = try await database.client.query(query, logger: logger)
        for try await (sequence, workspace, at, actor, action, resource, revision, before, after) in rows.decode(
            (Int64, String, Int64, String, String, String, Int64, String?, String?).self)
        {
            let entry = AuditEntry(
                actor: actor, action: action, resource: resource, before: StoreEncoding.jsonValue(before),
                after: StoreEncoding.jsonValue(after))
            records.append(
                AuditRecord(
                    sequence: sequence, workspace: workspace, at: StoreEncoding.date(at), entry: entry,
                    revision: revision))
        }
        return records
    }
}
