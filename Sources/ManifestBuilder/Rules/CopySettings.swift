/// Why copying settings into a new instance (R12) was refused. The workspace is unchanged.
public enum CopySettingsError: Error, Hashable, CustomStringConvertible {
    case unknownInstance(id: String)
    case unknownSource(id: String)
    /// The new instance would break these rules (R1 for a name already taken, for example).
    case violations([Violation])

    public var description: String {
        switch self {
        case .unknownInstance(let id): "no instance with id '\(id)' in the workspace"
        case .unknownSource(let id): "no source with id '\(id)' in the workspace"
        case .violations(let violations):
            violations.map { "\($0.rule.rawValue): \($0.message)" }.joined(separator: "\n")
        }
    }
}

extension Workspace {
    /// R12: a new instance on `sourceID` with the destination, mode and settings of the instance
    /// `instanceID` (from this source or another source of the workspace). It still needs its
    /// own unique name (R1) and id (R13); it starts disabled unless `enabled` says otherwise,
    /// as a newly added destination does until its toggle is switched on.
    ///
    /// Returns the changed workspace; throws, changing nothing, when the copy would break a rule
    /// that the workspace did not already break.
    public func copyingSettings(
        from instanceID: String, to sourceID: String, name: String, id newID: String,
        enabled: Bool = false, rules: ConnectionRules
    ) throws(CopySettingsError) -> Workspace {
        guard let original = sources.lazy.flatMap(\.instances).first(where: { $0.id == instanceID }) else {
            throw .unknownInstance(id: instanceID)
        }
        guard let target = sources.firstIndex(where: { $0.id == sourceID }) else {
            throw .unknownSource(id: sourceID)
        }
        var copy = original
        copy.id = newID
        copy.name = name
        copy.enabled = enabled
        copy.filters = []

        var changed = self
        changed.sources[target].instances.append(copy)
        let before = Set(rules.validate(self).errors)
        let introduced = rules.validate(changed).errors.filter { !before.contains($0) }
        guard introduced.isEmpty else { throw .violations(introduced) }
        return changed
    }
}
