import Foundation
import ManifestBuilder

/// Where the control plane keeps workspace state, tokens and the audit log.
///
/// A protocol so that a PostgreSQL store can hold the same state later; SQLite
/// (`SQLiteWorkspaceStateStore`) is the default. Workspaces are handed out in clear (secrets
/// opened): sealing secrets at rest is the store's business, not its callers'.
public protocol WorkspaceStateStore: Sendable {
    /// The workspace and its revision, or nil when the store has none with this id.
    func workspace(id: String) async throws -> StoredWorkspace?

    /// Every workspace id, sorted.
    func workspaceIDs() async throws -> [String]

    /// Runs `change` inside one serialised write transaction on the current workspace: when it
    /// returns, saves the new workspace as revision + 1 and appends its audit entry, atomically.
    /// When it throws, nothing changes and the error propagates. Concurrent writers wait for one
    /// another, so checks made in `change` (limits, `If-Match`) hold when the write lands.
    /// A change that returns the workspace as it was saves nothing and appends no record.
    func update<Value: Sendable>(
        workspace id: String,
        _ change: @escaping @Sendable (StoredWorkspace) throws -> WorkspaceChange<Value>
    ) async throws -> (StoredWorkspace, Value)

    /// Creates the workspace or replaces it whole (import), as one revision with one audit entry.
    func replace(_ workspace: Workspace, audit: AuditEntry) async throws -> StoredWorkspace

    func insertToken(_ token: TokenRecord) async throws
    func token(id: String) async throws -> TokenRecord?
    /// Tokens of one workspace (all when nil), oldest first.
    func tokens(workspace: String?) async throws -> [TokenRecord]
    /// Marks the token revoked; false when it does not exist or was already revoked.
    func revokeToken(id: String, at date: Date) async throws -> Bool

    /// Audit records of a workspace with a sequence above `after`, oldest first.
    func auditRecords(workspace: String, after: Int64, limit: Int) async throws -> [AuditRecord]

    /// The newest `limit` audit records of `resource` and the resources under it
    /// (`workspaces/w/sources/s` and its destinations), newest first.
    func auditRecords(workspace: String, resource: String, limit: Int) async throws -> [AuditRecord]
}

/// A workspace as stored: the document and the revision that counts its changes.
public struct StoredWorkspace: Sendable, Hashable {
    public var workspace: Workspace
    public var revision: Int64

    public init(workspace: Workspace, revision: Int64) {
        self.workspace = workspace
        self.revision = revision
    }
}

/// What a write produces: the new workspace, its audit entry, and a value for the caller.
public struct WorkspaceChange<Value: Sendable>: Sendable {
    public var workspace: Workspace
    public var audit: AuditEntry
    public var value: Value

    public init(workspace: Workspace, audit: AuditEntry, value: Value) {
        self.workspace = workspace
        self.audit = audit
        self.value = value
    }
}

/// Why the store refused a call.
public enum WorkspaceStoreError: Error, Hashable, CustomStringConvertible {
    case unknownWorkspace(String)
    /// The database stayed locked by another writer past the busy timeout: try again later.
    case busy

    public var description: String {
        switch self {
        case .unknownWorkspace(let id): "no workspace with id '\(id)'"
        case .busy: "the control-plane store is busy; try again"
        }
    }
}
