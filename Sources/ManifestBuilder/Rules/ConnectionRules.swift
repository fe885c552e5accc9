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

    /// Validates only what concerns the sources with these ids (all when `nil`): their own
    /// rules, and the workspace-wide ones (W1, R13) where they involve them. For republishing
    /// one edited source of a large workspace without re-checking every other source; with an
    /// `index` (see `WorkspaceIndex` for when it may be reused), without scanning them either.
    public func validate(_ workspace: Workspace, sources ids: Set<String>?, index: WorkspaceIndex? = nil)
        -> ValidationReport
    {
        let selected =
            ids.map { ids in
                index?.positions(of: ids, in: workspace) ?? WorkspaceIndex.positions(of: ids, in: workspace)
            } ?? Array(workspace.sources.indices)
        var report = ValidationReport()
        checkSourceIdentity(workspace, selected, index, into: &report)
        checkInstanceOwnership(workspace, selected, index, into: &report)
        let conditions = CompiledConditions(selected.lazy.map { workspace.sources[$0] })
        let perSource = Parallel.compactMap(selected) { index in
            var sourceReport = ValidationReport()
            checkSource(
                workspace.sources[index], at: "$.sources[\(index)]", conditions: conditions, into: &sourceReport)
            return sourceReport
        }
        for sourceReport in perSource {
            report.errors += sourceReport.errors
            report.warnings += sourceReport.warnings
        }
        return report
    }

    /// W1: source ids and write keys identify one source each.
    private func checkSourceIdentity(
        _ workspace: Workspace, _ selected: [Int], _ index: WorkspaceIndex?, into report: inout ValidationReport
    ) {
        for index in selected where workspace.sources[index].writeKey.isEmpty {
            report.append(Self.emptyWriteKey(workspace.sources[index], at: index))
        }
        for index in selected {
            checkWriteKeyFormat(workspace.sources[index], at: index, into: &report)
        }
        let sources = workspace.sources
        let ids = UniqueKeys.clashes(
            in: workspace, selected, outside: index.map { index in { (id: String) in index.sourceByID[id] } }
        ) {
            CollectionOfOne(sources[$0].id)
        }
        for clash in ids {
            report.append(
                Self.sourceIDClash(
                    clash.key, of: sources[clash.index], at: clash.index, owner: sources[clash.owner].name))
        }
        let writeKeys = UniqueKeys.clashes(
            in: workspace, selected, outside: index.map { index in { (key: String) in index.sourceByWriteKey[key] } }
        ) {
            sources[$0].writeKey.isEmpty ? [] : [sources[$0].writeKey]
        }
        for clash in writeKeys {
            report.append(
                Self.writeKeyClash(
                    clash.key, of: sources[clash.index], at: clash.index, owner: sources[clash.owner].name))
        }
    }

    static func emptyWriteKey(_ source: Source, at index: Int) -> Violation {
        Violation(
            rule: .w1, source: source.name, path: "$.sources[\(index)].writeKey",
            message: "source '\(source.name)' has an empty write key; the browser asks for its manifest by write key")
    }

    static func sourceIDClash(_ id: String, of source: Source, at index: Int, owner: String) -> Violation {
        Violation(
            rule: .w1, source: source.name, path: "$.sources[\(index)].id",
            message: "source id '\(id)' is already used by source '\(owner)'")
    }

    static func writeKeyClash(_ key: String, of source: Source, at index: Int, owner: String) -> Violation {
        Violation(
            rule: .w1, source: source.name, path: "$.sources[\(index)].writeKey",
            message: "write key '\(key)' is already used by source '\(owner)'; "
                + "each source needs its own, since the browser asks for its manifest by write key")
    }

    /// W3: a non-empty write key uses only the `WriteKey` alphabet and length (an empty one is
    /// W1's), since the origin serves it in a URL path and refuses anything else.
    func checkWriteKeyFormat(_ source: Source, at index: Int, into report: inout ValidationReport) {
        let key = source.writeKey
        guard !key.isEmpty, !WriteKey.isValid(key) else { return }
        let problem: String
        if key.utf8.count > WriteKey.maxLength {
            problem = "is \(key.utf8.count) bytes long"
        } else {
            let byte = key.utf8.first { !WriteKey.isAllowed($0) } ?? 0
            let shown = (0x21..<0x7F).contains(byte) ? "'\(UnicodeScalar(byte))'" : "byte 0x\(String(byte, radix: 16))"
            problem = "contains \(shown)"
        }
        report.append(
            Violation(
                rule: .w3, source: source.name, path: "$.sources[\(index)].writeKey",
                message: "the write key of source '\(source.name)' \(problem); a write key is "
                    + "\(WriteKey.alphabetDescription), since browsers fetch manifests at /v1/projects/{writeKey}/settings"
            ))
    }

    /// R13: an instance belongs to exactly one source, so its id appears once in the workspace.
    private func checkInstanceOwnership(
        _ workspace: Workspace, _ selected: [Int], _ index: WorkspaceIndex?, into report: inout ValidationReport
    ) {
        let sources = workspace.sources
        let outside: ((String) -> Int?)? = index.map { index in { (id: String) in index.sourceByInstanceID[id] } }
        let instances = selected.reduce(0) { $0 + sources[$1].instances.count }
        let clashes = UniqueKeys.clashes(
            in: workspace, selected, outside: outside,
            keysPerSource: selected.isEmpty ? 1 : (instances + selected.count - 1) / selected.count
        ) {
            sources[$0].instances.lazy.map(\.id)
        }
        for clash in clashes {
            report.append(
                Self.sharedInstance(
                    of: sources[clash.index], at: clash.index, position: clash.position,
                    owner: clash.owner == clash.index ? nil : sources[clash.owner].name))
        }
    }

    /// R13's violation for the instance at `position`, whose id the source named `owner` has too
    /// (nil: its own source).
    static func sharedInstance(of source: Source, at index: Int, position: Int, owner: String?) -> Violation {
        let instance = source.instances[position]
        let sharing =
            owner.map { "already belongs to source '\($0)'" } ?? "is used twice in source '\(source.name)'"
        return Violation(
            rule: .r13, source: source.name, destination: instance.destination, instance: instance.name,
            path: "$.sources[\(index)].instances[\(position)].id",
            message: "instance id '\(instance.id)' \(sharing); an instance cannot be shared by several "
                + "sources: create another instance and copy its settings (R12)")
    }
}

/// Finds keys (source ids, write keys, instance ids) used more than once, reporting only
/// clashes that involve selected sources, at the selected side.
enum UniqueKeys {
    struct Clash {
        var key: String
        /// The selected source that reuses the key, and the position of the key in its list.
        var index: Int
        var position: Int
        /// The other source that has the key.
        var owner: Int
    }

    /// `outside` looks up which source had a key when the index was built; without it the
    /// sources outside the selection are scanned.
    static func clashes<Keys: Collection<String>>(
        in workspace: Workspace, _ selected: [Int], outside: ((String) -> Int?)?, keysPerSource: Int = 1,
        keys: (Int) -> Keys
    ) -> [Clash] {
        var clashes: [Clash] = []
        var owners: [String: (index: Int, position: Int)] = [:]
        // Sized once: growing a dictionary of 800,000 instance ids rehashes it several times.
        owners.reserveCapacity(selected.count * keysPerSource)
        for index in selected {
            for (position, key) in keys(index).enumerated() {
                if let owner = owners[key] {
                    clashes.append(Clash(key: key, index: index, position: position, owner: owner.index))
                } else {
                    owners[key] = (index, position)
                }
            }
        }
        guard selected.count < workspace.sources.count else { return clashes }
        let isSelected = Set(selected)
        if let outside {
            for (key, owner) in owners {
                guard let other = outside(key), !isSelected.contains(other) else { continue }
                clashes.append(Clash(key: key, index: owner.index, position: owner.position, owner: other))
            }
            return clashes.sorted { ($0.index, $0.position) < ($1.index, $1.position) }
        }
        // Keys of the unselected sources are only hashed when their length could match.
        let lengths = Set(owners.keys.map(\.utf8.count))
        for index in workspace.sources.indices where !isSelected.contains(index) {
            for key in keys(index) where lengths.contains(key.utf8.count) {
                guard let owner = owners[key] else { continue }
                clashes.append(Clash(key: key, index: owner.index, position: owner.position, owner: index))
            }
        }
        return clashes
    }
}
