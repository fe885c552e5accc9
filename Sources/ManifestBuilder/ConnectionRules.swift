import Foundation

/// Validates workspaces against the connection rules (`connection-rules.md`).
///
/// Every violation is reported, not only the first, so that one run tells an operator all that
/// must change. Rules that are about instance counts report each instance over the limit once,
/// under the most specific rule that applies (R4, then R7, R5, R6; then R3 and R2).
public struct ConnectionRules: Sendable {
    public let catalog: Catalog

    /// R2: at most this many cloud-mode instances of one destination on one source.
    public static let cloudFanOutLimit = 25

    public init(catalog: Catalog) {
        self.catalog = catalog
    }

    public func validate(_ workspace: Workspace) -> ValidationReport {
        validate(workspace, sources: nil)
    }

    /// Validates only what concerns the sources with these ids: their own rules, and the
    /// workspace-wide ones (W1, R13) where they involve them. For republishing one edited
    /// source of a large workspace without re-checking every other source.
    public func validate(_ workspace: Workspace, sources ids: Set<String>?) -> ValidationReport {
        var report = ValidationReport()
        checkSourceIdentity(workspace, into: &report)
        checkInstanceOwnership(workspace, into: &report)
        if let ids {
            let prefixes = workspace.sources.indices.filter { ids.contains(workspace.sources[$0].id) }.map { "$.sources[\($0)]." }
            report.errors.removeAll { error in !prefixes.contains { error.path.hasPrefix($0) } }
        }
        for (index, source) in workspace.sources.enumerated() where ids?.contains(source.id) ?? true {
            checkSource(source, at: "$.sources[\(index)]", into: &report)
        }
        return report
    }

    /// W1: source ids and write keys identify one source each.
    private func checkSourceIdentity(_ workspace: Workspace, into report: inout ValidationReport) {
        var idOwners: [String: Source] = [:]
        var writeKeyOwners: [String: Source] = [:]
        for (index, source) in workspace.sources.enumerated() {
            let path = "$.sources[\(index)]"
            if let owner = idOwners[source.id] {
                report.append(Violation(
                    rule: .w1, source: source.name, path: path + ".id",
                    message: "source id '\(source.id)' is already used by source '\(owner.name)'"))
            } else {
                idOwners[source.id] = source
            }
            if source.writeKey.isEmpty {
                report.append(Violation(
                    rule: .w1, source: source.name, path: path + ".writeKey",
                    message: "source '\(source.name)' has an empty write key; the browser asks for its manifest by write key"))
            } else if let owner = writeKeyOwners[source.writeKey] {
                report.append(Violation(
                    rule: .w1, source: source.name, path: path + ".writeKey",
                    message: "write key '\(source.writeKey)' is already used by source '\(owner.name)'; "
                        + "each source needs its own, since the browser asks for its manifest by write key"))
            } else {
                writeKeyOwners[source.writeKey] = source
            }
        }
    }

    /// R13: an instance belongs to exactly one source, so its id appears once in the workspace.
    private func checkInstanceOwnership(_ workspace: Workspace, into report: inout ValidationReport) {
        var owners: [String: Source] = [:]
        for (sourceIndex, source) in workspace.sources.enumerated() {
            for (index, instance) in source.instances.enumerated() {
                guard let owner = owners[instance.id] else {
                    owners[instance.id] = source
                    continue
                }
                let sharing = owner.id == source.id
                    ? "is used twice in source '\(source.name)'"
                    : "already belongs to source '\(owner.name)'"
                report.append(Violation(
                    rule: .r13, source: source.name, destination: instance.destination, instance: instance.name,
                    path: "$.sources[\(sourceIndex)].instances[\(index)].id",
                    message: "instance id '\(instance.id)' \(sharing); an instance cannot be shared by several "
                        + "sources: create another instance and copy its settings (R12)"))
            }
        }
    }
}
