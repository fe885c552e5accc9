import Foundation
import HTTPTypes
import Hummingbird
import ManifestBuilder

/// Create, update, delete and copy settings: each one store transaction that checks `If-Match`
/// and the rules on the current state, then republishes the source.
extension DestinationsController {
    func create(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (workspace, sourceID) = (request.parameter("workspace", context), request.parameter("source", context))
        let principal = try await services.authorize(request, workspace: workspace, scope: .write)
        let body = try await services.body(request, allowed: DestinationCreateInput.fields)
        let instance = try DestinationCreateInput(
            body, workspace: workspace, source: sourceID, catalog: services.catalog
        ).instance
        let path = DestinationPath(workspace: workspace, source: sourceID, instance: instance.id)
        let (validator, masker) = (ChangeValidator(rules: services.rules), services.masker)
        let (_, created) = try await services.update(workspace) { stored in
            var changed = stored.workspace
            guard let sourceIndex = changed.sources.firstIndex(where: { $0.id == sourceID }) else {
                throw Self.noSource(workspace, sourceID)
            }
            changed.sources[sourceIndex].instances.append(instance)
            let prefix = "$.sources[\(sourceIndex)].instances[\(changed.sources[sourceIndex].instances.count - 1)]"
            try validator.check(
                before: stored.workspace, after: changed, sources: [sourceID], pointers: PointerMap(prefix: prefix))
            let after = DestinationResource(
                workspace: workspace, sourceID: sourceID, instance: instance, masker: masker)
            let audit = AuditEntry(
                actor: principal.name, action: "destination.create", resource: after.name,
                before: nil, after: after.json)
            return WorkspaceChange(workspace: changed, audit: audit, value: instance)
        }
        return await written(created, path: path, status: .created, extra: [.location: path.location])
    }

    func update(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let path = DestinationPath(request, context)
        let principal = try await services.authorize(request, workspace: path.workspace, scope: .write)
        let patch = try DestinationPatchInput(try await services.body(request, allowed: DestinationPatchInput.fields))
        let action = patch.isToggleOnly ? "destination.toggle" : "destination.update"
        let updated = try await change(path, request, actor: principal.name, action: action) {
            [masker = services.masker] instance, _ in
            patch.applied(to: instance, masker: masker)
        }
        return await written(updated, path: path, status: .ok)
    }

    func delete(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let path = DestinationPath(request, context)
        let principal = try await services.authorize(request, workspace: path.workspace, scope: .write)
        let deleted = try await change(path, request, actor: principal.name, action: "destination.delete") { _, _ in nil
        }
        return await written(deleted, path: path, status: .ok)
    }

    /// "Copy Settings From Other Destination": this instance takes the settings (secrets
    /// included) of another instance of the same destination in the workspace (R12).
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
        let fromPath = DestinationPath(workspace: from.workspace, source: from.source, instance: from.instance)
        let updated = try await change(
            path, request, actor: principal.name, action: "destination.copySettings",
            with: fromPath
        ) { instance, original in
            guard let original else { return instance }
            guard original.destination == instance.destination else {
                throw ControlError.violations([
                    ProblemViolation(
                        rule: .r12, pointer: "/from", path: "$.from",
                        message: "settings can be copied only from another instance of \(instance.destination), "
                            + "not from an instance of \(original.destination)")
                ])
            }
            var copy = instance
            copy.settings = original.settings
            return copy
        }
        return await written(updated, path: path, status: .ok)
    }
}

extension DestinationsController {
    /// One transaction on an existing instance: `If-Match` against its current tag, the
    /// transform (nil deletes), the rules, the audit record.
    func change(
        _ path: DestinationPath, _ request: Request, actor: String, action: String, with from: DestinationPath? = nil,
        _ transform: @escaping @Sendable (DestinationInstance, DestinationInstance?) throws -> DestinationInstance?
    ) async throws -> DestinationInstance? {
        let ifMatch = request.headers[.ifMatch]
        let (tags, validator, masker) = (services.tags, ChangeValidator(rules: services.rules), services.masker)
        let (_, result) = try await services.update(path.workspace) { stored in
            let located = try path.locate(in: stored.workspace)
            guard EntityTags.matches(ifMatch: ifMatch, current: tags.tag(for: located.instance)) else {
                throw ControlError.preconditionFailed(
                    "The destination changed since you read it (If-Match: \(ifMatch ?? "")); read it again and retry.")
            }
            let original = try from.map { try $0.locate(in: stored.workspace).instance }
            let next = try transform(located.instance, original)
            var changed = stored.workspace
            if let next {
                changed.sources[located.source].instances[located.index] = next
                try validator.check(
                    before: stored.workspace, after: changed, sources: [path.source],
                    pointers: PointerMap(prefix: "$.sources[\(located.source)].instances[\(located.index)]"))
            } else {
                changed.sources[located.source].instances.remove(at: located.index)
            }
            let (before, after) = masker.auditPair(
                located.instance, next,
                render: {
                    DestinationResource(
                        workspace: path.workspace, sourceID: path.source,
                        instance: $0, masker: masker
                    ).json
                })
            let audit = AuditEntry(
                actor: actor, action: action,
                resource: ResourceName.destination(path.workspace, path.source, path.instance),
                before: before, after: after)
            return WorkspaceChange(workspace: changed, audit: audit, value: next)
        }
        return result
    }
}
