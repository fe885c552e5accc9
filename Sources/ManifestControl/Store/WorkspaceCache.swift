import Synchronization

/// Decoded workspaces by id, each valid for one revision: decoding and opening the sealed
/// secrets of a large workspace on every request would dominate a read. A `Mutex` because
/// the store is called from many tasks at once and each access is a dictionary lookup, too
/// short to be worth an actor hop.
public final class WorkspaceCache: Sendable {
    public init() {}

    private let entries = Mutex<[String: StoredWorkspace]>([:])

    /// The cached workspace when it is at `revision`.
    public func workspace(id: String, revision: Int64) -> StoredWorkspace? {
        entries.withLock { entries in
            entries[id].flatMap { $0.revision == revision ? $0 : nil }
        }
    }

    public func store(_ stored: StoredWorkspace) {
        entries.withLock { entries in
            if let current = entries[stored.workspace.id], current.revision > stored.revision { return }
            entries[stored.workspace.id] = stored
        }
    }
}
