import Foundation
import HTTPTypes
import Hummingbird
import ManifestBuilder

/// `/v1/workspaces/{workspace}/sources`: create, list, read, rename and delete sources.
struct SourcesController: Sendable {
    let services: ControlServices

    static let collection = "/v1/workspaces/:workspace/sources"
    static let item = collection + "/:source"

    func register(on router: Router<BasicRequestContext>) {
        router.get(RouterPath(Self.collection)) { request, context in try await list(request, context) }
        router.post(RouterPath(Self.collection)) { request, context in try await create(request, context) }
        router.get(RouterPath(Self.item)) { request, context in try await read(request, context) }
        router.patch(RouterPath(Self.item)) { request, context in try await rename(request, context) }
        router.delete(RouterPath(Self.item)) { request, context in try await delete(request, context) }
    }

    func list(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let workspace = request.parameter("workspace", context)
        _ = try await services.authorize(request, workspace: workspace, scope: .read)
        let page = try services.page(request)
        let sources = try await services.workspace(workspace).workspace.sources.sorted { $0.id < $1.id }
        return JSONResponse.ok(page.page(sources, key: \.id) { SourceResource(workspace: workspace, source: $0).json })
    }

    func read(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (workspace, id) = (request.parameter("workspace", context), request.parameter("source", context))
        _ = try await services.authorize(request, workspace: workspace, scope: .read)
        guard let source = try await services.workspace(workspace).workspace.source(id: id) else {
            throw DestinationPath.noSource(workspace, id)
        }
        let resource = SourceResource(workspace: workspace, source: source)
        return JSONResponse.ok(resource.json, headers: [.eTag: services.tags.tag(for: resource.tagState)])
    }

    func create(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let workspace = request.parameter("workspace", context)
        let principal = try await services.authorize(request, workspace: workspace, scope: .write)
        let body = try await services.body(request, allowed: ["id", "displayName", "kind", "writeKey"])
        let id = try body.identifier("id") ?? IdentifierGenerator.make(prefix: "src")
        let source = Source(
            id: id, name: try body.string("displayName", required: true)!,
            kind: try body.enumeration("kind", SourceKind.self, required: true)!,
            writeKey: try body.identifier("writeKey") ?? IdentifierGenerator.make(prefix: "wk", bytes: 12))
        let validator = ChangeValidator(rules: services.rules)
        let (_, created) = try await services.update(workspace) { stored in
            var changed = stored.workspace
            changed.sources.append(source)
            try validator.check(
                before: stored.workspace, after: changed, sources: [source.id],
                pointers: PointerMap(prefix: "$.sources[\(changed.sources.count - 1)]"))
            let after = SourceResource(workspace: workspace, source: source)
            let audit = AuditEntry(
                actor: principal.name, action: "source.create",
                resource: ResourceName.source(workspace, id), before: nil, after: after.json)
            return WorkspaceChange(workspace: changed, audit: audit, value: after)
        }
        let outcome = await services.publish(workspace: workspace, source: id)
        return written(
            created, outcome: outcome, status: .created, extra: [.location: "/v1/" + ResourceName.source(workspace, id)]
        )
    }

    func written(
        _ resource: SourceResource, outcome: ManifestOutcome, status: HTTPResponse.Status, extra: HTTPFields = [:]
    ) -> Response {
        var headers = extra
        headers[.eTag] = services.tags.tag(for: resource.tagState)
        guard case .object(var members) = resource.json else { return JSONResponse.ok(resource.json) }
        members["manifest"] = outcome.json
        return JSONResponse.ok(.object(members), status: status, headers: headers)
    }
}
