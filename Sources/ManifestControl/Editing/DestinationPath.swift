import ManifestBuilder

/// The workspace, source and instance ids that name one destination instance.
struct DestinationPath: Sendable, Hashable {
    var workspace: String
    var source: String
    var instance: String

    init(workspace: String, source: String, instance: String) {
        self.workspace = workspace
        self.source = source
        self.instance = instance
    }

    /// The positions of the source and instance in the workspace, or 404.
    func locate(in workspace: Workspace) throws(ControlError) -> (
        source: Int, index: Int, instance: DestinationInstance
    ) {
        guard let sourceIndex = workspace.sources.firstIndex(where: { $0.id == source }) else {
            throw Self.noSource(self.workspace, source)
        }
        guard let index = workspace.sources[sourceIndex].instances.firstIndex(where: { $0.id == instance }) else {
            throw .notFound("No destination '\(instance)' on source '\(source)'.")
        }
        return (sourceIndex, index, workspace.sources[sourceIndex].instances[index])
    }

    /// The Config API's address of the instance.
    var location: String { "/v1/" + ResourceName.destination(workspace, source, instance) }

    static func noSource(_ workspace: String, _ source: String) -> ControlError {
        .notFound("No source '\(source)' in workspace '\(workspace)'.")
    }
}
