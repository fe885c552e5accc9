/// Where each source id, write key and instance id of a workspace lives.
///
/// A long-running publisher keeps one so that republishing an edited source validates and
/// compiles that source alone: the workspace-wide uniqueness rules (W1, R13) become lookups
/// instead of scans over every instance. It stays correct for any later version of the
/// workspace in which only the sources being republished changed; rebuild it (or build a new
/// one) after other sources change.
public struct WorkspaceIndex: Sendable {
    var sourceByID: [String: Int] = [:]
    var sourceByWriteKey: [String: Int] = [:]
    var sourceByInstanceID: [String: Int] = [:]

    public init(_ workspace: Workspace) {
        let instanceCount = workspace.sources.reduce(0) { $0 + $1.instances.count }
        sourceByID.reserveCapacity(workspace.sources.count)
        sourceByWriteKey.reserveCapacity(workspace.sources.count)
        sourceByInstanceID.reserveCapacity(instanceCount)
        for (index, source) in workspace.sources.enumerated() {
            sourceByID[source.id] = sourceByID[source.id] ?? index
            sourceByWriteKey[source.writeKey] = sourceByWriteKey[source.writeKey] ?? index
            for instance in source.instances {
                sourceByInstanceID[instance.id] = sourceByInstanceID[instance.id] ?? index
            }
        }
    }

    /// The positions of the sources with these ids, in workspace order.
    func positions(of ids: Set<String>, in workspace: Workspace) -> [Int] {
        let found = ids.compactMap { id in
            sourceByID[id].flatMap {
                workspace.sources.indices.contains($0) && workspace.sources[$0].id == id ? $0 : nil
            }
        }
        guard found.count == ids.count else { return Self.positions(of: ids, in: workspace) }
        return found.sorted()
    }

    /// The same by a scan, for callers without an index.
    static func positions(of ids: Set<String>, in workspace: Workspace) -> [Int] {
        workspace.sources.indices.filter { ids.contains(workspace.sources[$0].id) }
    }
}
