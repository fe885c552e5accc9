import Foundation
import ManifestBuilder

/// `manifest import` and `manifest export`: a workspace file in, the same format out.
///
/// Import is all or nothing: the file is decoded and checked against every rule first, and
/// only a valid workspace replaces the stored one (one revision, one audit record). Export
/// writes the stored workspace, secrets in clear (the file is the operator's own copy, as the
/// file workflow has always been; write it with mode 0600), so `import` of an export is
/// lossless.
public struct WorkspaceTransfer: Sendable {
    public let store: any WorkspaceStateStore
    public let rules: ConnectionRules

    public init(store: any WorkspaceStateStore, catalog: Catalog) {
        self.store = store
        self.rules = ConnectionRules(catalog: catalog)
    }

    /// Decodes, validates and stores the workspace in `data`.
    public func importWorkspace(_ data: Data, file: String, actor: String) async throws -> StoredWorkspace {
        let workspace = try InputDocument.decode(Workspace.self, from: data, file: file)
        let report = rules.validate(workspace)
        guard report.isValid else { throw TransferError.invalid(report) }
        let masker = SecretMasker(catalog: rules.catalog)
        let before = try await store.workspace(id: workspace.id).map { masker.masked($0.workspace) }
        let audit = AuditEntry(
            actor: actor, action: "workspace.import", resource: ResourceName.workspace(workspace.id),
            before: before.map(Self.json), after: Self.json(masker.masked(workspace)))
        return try await store.replace(workspace, audit: audit)
    }

    /// The stored workspace as a file (sorted keys, indented).
    public func exportWorkspace(id: String) async throws -> Data {
        guard let stored = try await store.workspace(id: id) else { throw WorkspaceStoreError.unknownWorkspace(id) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(stored.workspace)
    }

    static func json(_ workspace: Workspace) -> JSONValue {
        (try? JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(workspace))) ?? .null
    }
}

public enum TransferError: Error, CustomStringConvertible {
    /// The file breaks these rules; nothing was imported.
    case invalid(ValidationReport)

    public var description: String {
        switch self {
        case .invalid(let report): "the workspace is invalid (\(report.errors.count) errors); nothing was imported"
        }
    }
}

extension SecretMasker {
    /// The workspace with every secret setting masked, for audit records.
    public func masked(_ workspace: Workspace) -> Workspace {
        var masked = workspace
        for sourceIndex in masked.sources.indices {
            for index in masked.sources[sourceIndex].instances.indices {
                let instance = masked.sources[sourceIndex].instances[index]
                masked.sources[sourceIndex].instances[index].settings = self.masked(
                    instance.settings, destination: instance.destination)
            }
        }
        return masked
    }
}
