import Foundation

/// Creates, lists and revokes workspace tokens (what `manifest token` calls).
public struct TokenService: Sendable {
    public let store: any WorkspaceStateStore

    public init(store: any WorkspaceStateStore) {
        self.store = store
    }

    /// Creates a token for an existing workspace. The returned text is the only time the secret
    /// exists outside the caller: the store keeps its hash.
    public func create(workspace: String, scope: TokenScope, name: String?, now: Date) async throws -> (
        TokenRecord, String
    ) {
        guard try await store.workspace(id: workspace) != nil else {
            throw WorkspaceStoreError.unknownWorkspace(workspace)
        }
        let token = BearerToken.generate()
        let record = TokenRecord(
            id: token.id, workspace: workspace, name: name ?? "token-\(token.id)", scope: scope,
            secretHash: token.secretHash, createdAt: now)
        try await store.insertToken(record)
        return (record, token.text)
    }

    public func list(workspace: String?) async throws -> [TokenRecord] {
        try await store.tokens(workspace: workspace)
    }

    public func revoke(id: String, now: Date) async throws -> Bool {
        try await store.revokeToken(id: id, at: now)
    }
}
