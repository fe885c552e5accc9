import Hummingbird
import ManifestBuilder

/// `/v1/workspaces/{workspace}`: the workspace the token belongs to, with its revision (which
/// counts every change) and how many sources and destination instances it holds.
struct WorkspaceController: Sendable {
    let services: ControlServices

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/workspaces/:workspace") { request, context in try await read(request, context) }
    }

    func read(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let id = request.parameter("workspace", context)
        _ = try await services.authorize(request, workspace: id, scope: .read)
        let stored = try await services.workspace(id)
        let workspace = stored.workspace
        return JSONResponse.ok(
            .object([
                "name": .string(ResourceName.workspace(id)), "id": .string(id), "displayName": .string(workspace.name),
                "ingestionHost": .string(workspace.ingestionHost), "revision": .int(Int(stored.revision)),
                "sourceCount": .int(workspace.sources.count),
                "destinationCount": .int(workspace.sources.reduce(0) { $0 + $1.instances.count }),
            ]))
    }
}
