import Foundation
import ManifestBuilder

/// Adds, changes and removes destination instances: the operations the Config API and the
/// operator console share, so both refuse the same changes with the same sentences.
///
/// Each operation is one store transaction that checks the connection rules on the current state
/// (only the violations the change introduces), optionally an `If-Match` tag, and appends an
/// audit record. Publishing is the caller's next step (`ControlServices.publish`).
struct DestinationEditor: Sendable {
    let services: ControlServices

    /// Connects `instance` to the source; violations point into the instance (`/displayName`,
    /// `/settings/apiKey`).
    func create(_ instance: DestinationInstance, at path: DestinationPath, actor: String) async throws
        -> DestinationInstance
    {
        let (validator, masker) = (ChangeValidator(rules: services.rules), services.masker)
        let (_, created) = try await services.update(path.workspace) { stored in
            var changed = stored.workspace
            guard let sourceIndex = changed.sources.firstIndex(where: { $0.id == path.source }) else {
                throw DestinationPath.noSource(path.workspace, path.source)
            }
            changed.sources[sourceIndex].instances.append(instance)
            let prefix = "$.sources[\(sourceIndex)].instances[\(changed.sources[sourceIndex].instances.count - 1)]"
            try validator.check(
                before: stored.workspace, after: changed, sources: [path.source], pointers: PointerMap(prefix: prefix))
            let after = DestinationResource(
                workspace: path.workspace, sourceID: path.source, instance: instance, masker: masker)
            let audit = AuditEntry(
                actor: actor, action: "destination.create", resource: after.name, before: nil, after: after.json)
            return WorkspaceChange(workspace: changed, audit: audit, value: instance)
        }
        return created
    }

    /// One transaction on an existing instance: `If-Match` against its current tag (when given),
    /// the transform (nil deletes; `from` is the other instance it reads, if any), the rules,
    /// the audit record.
    func change(
        _ path: DestinationPath, ifMatch: String?, actor: String, action: String, with from: DestinationPath? = nil,
        _ transform: @escaping @Sendable (DestinationInstance, DestinationInstance?) throws -> DestinationInstance?
    ) async throws -> DestinationInstance? {
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
                    DestinationResource(workspace: path.workspace, sourceID: path.source, instance: $0, masker: masker)
                        .json
                })
            let audit = AuditEntry(
                actor: actor, action: action,
                resource: ResourceName.destination(path.workspace, path.source, path.instance),
                before: before, after: after)
            return WorkspaceChange(workspace: changed, audit: audit, value: next)
        }
        return result
    }

    /// "Copy Settings From Other Destination": the instance takes the settings (secrets included)
    /// of another instance of the same destination in the workspace (R12).
    func copySettings(_ path: DestinationPath, from: DestinationPath, ifMatch: String?, actor: String) async throws
        -> DestinationInstance?
    {
        try await change(path, ifMatch: ifMatch, actor: actor, action: "destination.copySettings", with: from) {
            instance, original in
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
    }
}
