import Foundation
import Hummingbird
import Logging
import ManifestBuilder

/// What every controller needs: the store, the catalog and rules, secrets handling, publishing,
/// the clock and the limits. Built once by `ControlPlane`.
struct ControlServices: Sendable {
    let store: any WorkspaceStateStore
    let rules: ConnectionRules
    let facts: CatalogFacts
    let masker: SecretMasker
    let tags: EntityTags
    let authenticator: TokenAuthenticator
    let publisher: LivePublisher?
    let limits: ControlPlane.Limits
    let now: @Sendable () -> Date
    let logger: Logger

    var catalog: Catalog { rules.catalog }

    /// The caller, or 401.
    func principal(_ request: Request) async throws -> Principal {
        guard let principal = try await authenticator.authenticate(authorization: request.headers[.authorization])
        else {
            throw ControlError.unauthorized()
        }
        return principal
    }

    /// The caller, when it may act on `workspace` with `scope`: another workspace's token gets the
    /// same 404 as a workspace that does not exist, and a read token asking to write gets 403.
    func authorize(_ request: Request, workspace: String, scope: TokenScope) async throws -> Principal {
        let principal = try await principal(request)
        guard principal.workspace == workspace else { throw ControlError.notFound("No workspace '\(workspace)'.") }
        guard principal.scope.allows(scope) else { throw ControlError.forbidden() }
        return principal
    }

    func workspace(_ id: String) async throws -> StoredWorkspace {
        guard let stored = try await store.workspace(id: id) else {
            throw ControlError.notFound("No workspace '\(id)'.")
        }
        return stored
    }

    func page(_ request: Request) throws -> PageRequest {
        try PageRequest.parse(request, defaultLimit: limits.defaultPageSize, maxLimit: limits.maxPageSize)
    }

    func body(_ request: Request, allowed: Set<String>) async throws -> JSONBody {
        try await JSONBody.read(request, limit: limits.maxBodyBytes, allowed: allowed)
    }

    /// Republishes one source and says what happened to its manifest.
    func publish(workspace: String, source: String) async -> ManifestOutcome {
        guard let publisher else { return ManifestOutcome(status: .noManifest) }
        return await publisher.publish(workspace: workspace, sources: [source])[source]
            ?? ManifestOutcome(status: .noManifest)
    }

    /// Runs a change through the store, turning store errors into API errors.
    func update<Value: Sendable>(
        _ workspace: String, _ change: @escaping @Sendable (StoredWorkspace) throws -> WorkspaceChange<Value>
    ) async throws -> (StoredWorkspace, Value) {
        do {
            return try await store.update(workspace: workspace, change)
        } catch WorkspaceStoreError.unknownWorkspace {
            throw ControlError.notFound("No workspace '\(workspace)'.")
        }
    }
}

extension Request {
    /// A path parameter the router matched (always present for the routes that read it).
    func parameter(_ name: String, _ context: some RequestContext) -> String {
        context.parameters.get(name) ?? ""
    }
}
