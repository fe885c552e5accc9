import Foundation

/// Checks `Authorization: Bearer` against the stored tokens.
///
/// Unknown, malformed, revoked and wrong tokens all fail the same way (nil), after the same
/// amount of hashing and a constant-time comparison, so the answer says nothing about which.
public struct TokenAuthenticator: Sendable {
    public let store: any WorkspaceStateStore

    public init(store: any WorkspaceStateStore) {
        self.store = store
    }

    /// The principal for an `Authorization` field value, or nil.
    public func authenticate(authorization: String?) async throws -> Principal? {
        guard let authorization, authorization.count > 7,
            authorization.prefix(7).lowercased() == "bearer ",
            let token = BearerToken(parsing: authorization.dropFirst(7).trimmingCharacters(in: .whitespaces))
        else { return nil }
        let presented = token.secretHash
        guard let record = try await store.token(id: token.id) else {
            _ = ConstantTime.equal(presented, [UInt8](repeating: 0, count: presented.count))
            return nil
        }
        guard ConstantTime.equal(presented, record.secretHash), record.revokedAt == nil else { return nil }
        return Principal(tokenID: record.id, workspace: record.workspace, name: record.name, scope: record.scope)
    }
}
