import Foundation
import HTTPTypes
import Hummingbird
import ManifestBuilder

/// Rename and delete, each honouring `If-Match`.
extension SourcesController {
    func rename(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (workspace, id) = (request.parameter("workspace", context), request.parameter("source", context))
        let principal = try await services.authorize(request, workspace: workspace, scope: .write)
        let body = try await services.body(request, allowed: ["displayName", "id", "kind", "writeKey", "name"])
        for field in ["id", "kind", "writeKey", "name"] where body.has(field) {
            throw ControlError.badRequest("'\(field)' cannot be changed; only displayName can.", pointer: "/\(field)")
        }
        let displayName = try body.string("displayName", required: true)!
        let (_, renamed) = try await change(workspace, id, request, actor: principal.name, action: "source.rename") {
            source in
            var renamed = source
            renamed.name = displayName
            return renamed
        }
        let outcome = await services.publish(workspace: workspace, source: id)
        return written(SourceResource(workspace: workspace, source: renamed!), outcome: outcome, status: .ok)
    }

    /// Deletes the source and its destination instances. Its last published manifest stays in
    /// the origin's append-only log (and is served until it expires).
    func delete(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (workspace, id) = (request.parameter("workspace", context), request.parameter("source", context))
        let principal = try await services.authorize(request, workspace: workspace, scope: .write)
        _ = try await change(workspace, id, request, actor: principal.name, action: "source.delete") { _ in nil }
        return JSONResponse.ok(
            .object([
                "name": .string(ResourceName.source(workspace, id)), "deleted": true,
                "manifest": ManifestOutcome(status: .noManifest).json,
            ]))
    }

    private func change(
        _ workspace: String, _ id: String, _ request: Request, actor: String, action: String,
        _ transform: @escaping @Sendable (Source) -> Source?
    ) async throws -> (StoredWorkspace, Source?) {
        let ifMatch = request.headers[.ifMatch]
        let tags = services.tags
        return try await services.update(workspace) { stored in
            guard let index = stored.workspace.sources.firstIndex(where: { $0.id == id }) else {
                throw DestinationPath.noSource(workspace, id)
            }
            let source = stored.workspace.sources[index]
            let before = SourceResource(workspace: workspace, source: source)
            guard EntityTags.matches(ifMatch: ifMatch, current: tags.tag(for: before.tagState)) else {
                throw ControlError.preconditionFailed("The source changed since you read it; read it again and retry.")
            }
            var changed = stored.workspace
            let next = transform(source)
            if let next { changed.sources[index] = next } else { changed.sources.remove(at: index) }
            let audit = AuditEntry(
                actor: actor, action: action, resource: ResourceName.source(workspace, id),
                before: before.json, after: next.map { SourceResource(workspace: workspace, source: $0).json })
            return WorkspaceChange(workspace: changed, audit: audit, value: next)
        }
    }
}
