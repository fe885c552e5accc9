import Foundation
import HTTPTypes
import Hummingbird
import ManifestBuilder

/// `/v1/workspaces/{workspace}/sources/{source}/destinations`: the seed's "Create Destination",
/// with list, read, update (including the `enabled` toggle), delete and copy-settings.
struct DestinationsController: Sendable {
    let services: ControlServices

    static let collection = "/v1/workspaces/:workspace/sources/:source/destinations"
    static let item = collection + "/:instance"

    func register(on router: Router<BasicRequestContext>) {
        router.get(RouterPath(Self.collection)) { request, context in try await list(request, context) }
        router.post(RouterPath(Self.collection)) { request, context in try await create(request, context) }
        router.get(RouterPath(Self.item)) { request, context in try await read(request, context) }
        router.patch(RouterPath(Self.item)) { request, context in try await update(request, context) }
        router.delete(RouterPath(Self.item)) { request, context in try await delete(request, context) }
        router.post(RouterPath(Self.item + "/copy-settings")) { request, context in
            try await copySettings(request, context)
        }
    }

    func list(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (workspace, sourceID) = (request.parameter("workspace", context), request.parameter("source", context))
        _ = try await services.authorize(request, workspace: workspace, scope: .read)
        let page = try services.page(request)
        let stored = try await services.workspace(workspace)
        guard let source = stored.workspace.source(id: sourceID) else {
            throw DestinationPath.noSource(workspace, sourceID)
        }
        let instances = source.instances.sorted { $0.id < $1.id }
        return JSONResponse.ok(page.page(instances, key: \.id) { resource(workspace, sourceID, $0).json })
    }

    func read(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let path = DestinationPath(request, context)
        _ = try await services.authorize(request, workspace: path.workspace, scope: .read)
        let stored = try await services.workspace(path.workspace)
        let instance = try path.locate(in: stored.workspace).instance
        return JSONResponse.ok(
            resource(path.workspace, path.source, instance).json,
            headers: [.eTag: services.tags.tag(for: instance)])
    }

    func resource(_ workspace: String, _ source: String, _ instance: DestinationInstance) -> DestinationResource {
        DestinationResource(workspace: workspace, sourceID: source, instance: instance, masker: services.masker)
    }

    /// The answer to a successful write: the resource, its new tag, and what the publish did.
    func written(
        _ instance: DestinationInstance?, path: DestinationPath, status: HTTPResponse.Status, extra: HTTPFields = [:]
    ) async -> Response {
        let outcome = await services.publish(workspace: path.workspace, source: path.source)
        var headers = extra
        var body: [String: JSONValue] = [
            "name": .string(ResourceName.destination(path.workspace, path.source, path.instance))
        ]
        if let instance {
            headers[.eTag] = services.tags.tag(for: instance)
            if case .object(let members) = resource(path.workspace, path.source, instance).json { body = members }
        } else {
            body["deleted"] = true
        }
        body["manifest"] = outcome.json
        return JSONResponse.ok(.object(body), status: status, headers: headers)
    }

}

extension DestinationPath {
    /// The ids the matched route names.
    init(_ request: Request, _ context: BasicRequestContext) {
        self.init(
            workspace: request.parameter("workspace", context), source: request.parameter("source", context),
            instance: request.parameter("instance", context))
    }
}
