import Foundation
import HTTPTypes
import Hummingbird
import ManifestBuilder

/// Create, update, delete and copy settings: the request is read here, the change is made by
/// `DestinationEditor` (one transaction with `If-Match` and the rules), then the source is
/// republished.
extension DestinationsController {
    var editor: DestinationEditor { DestinationEditor(services: services) }

    func create(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (workspace, sourceID) = (request.parameter("workspace", context), request.parameter("source", context))
        let principal = try await services.authorize(request, workspace: workspace, scope: .write)
        let body = try await services.body(request, allowed: DestinationCreateInput.fields)
        let instance = try DestinationCreateInput(
            body, workspace: workspace, source: sourceID, catalog: services.catalog
        ).instance
        let path = DestinationPath(workspace: workspace, source: sourceID, instance: instance.id)
        let created = try await editor.create(instance, at: path, actor: principal.name)
        return await written(created, path: path, status: .created, extra: [.location: path.location])
    }

    func update(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let path = DestinationPath(request, context)
        let principal = try await services.authorize(request, workspace: path.workspace, scope: .write)
        let patch = try DestinationPatchInput(try await services.body(request, allowed: DestinationPatchInput.fields))
        let action = patch.isToggleOnly ? "destination.toggle" : "destination.update"
        let updated = try await editor.change(
            path, ifMatch: request.headers[.ifMatch], actor: principal.name, action: action
        ) { [masker = services.masker] instance, _ in
            patch.applied(to: instance, masker: masker)
        }
        return await written(updated, path: path, status: .ok)
    }

    func delete(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let path = DestinationPath(request, context)
        let principal = try await services.authorize(request, workspace: path.workspace, scope: .write)
        let deleted = try await editor.change(
            path, ifMatch: request.headers[.ifMatch], actor: principal.name, action: "destination.delete"
        ) { _, _ in nil }
        return await written(deleted, path: path, status: .ok)
    }

    /// "Copy Settings From Other Destination", `{"from": "workspaces/{w}/sources/{s}/destinations/{i}"}`.
    func copySettings(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let path = DestinationPath(request, context)
        let principal = try await services.authorize(request, workspace: path.workspace, scope: .write)
        let body = try await services.body(request, allowed: ["from"])
        let fromName = try body.string("from", required: true, maxLength: 300)!
        guard let from = ResourceName.parseDestination(fromName) else {
            throw ControlError.badRequest(
                "'from' must be a destination name, workspaces/{w}/sources/{s}/destinations/{i}.",
                pointer: "/from")
        }
        guard from.workspace == path.workspace else { throw ControlError.notFound("No destination '\(fromName)'.") }
        let updated = try await editor.copySettings(
            path, from: DestinationPath(workspace: from.workspace, source: from.source, instance: from.instance),
            ifMatch: request.headers[.ifMatch], actor: principal.name)
        return await written(updated, path: path, status: .ok)
    }
}
