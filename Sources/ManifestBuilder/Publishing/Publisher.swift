import Foundation

/// How long a signed manifest stays valid, and when an unchanged one is signed again.
public struct PublishPolicy: Sendable {
    /// A manifest's lifetime: clients refuse it afterwards (a frozen or replayed manifest).
    public var validity: TimeInterval
    /// An unchanged source is republished (same content, new version and expiry) once less than
    /// this much of its validity is left, so that clients never see it expire.
    public var refreshWithin: TimeInterval

    public init(validity: TimeInterval = 7 * 86_400, refreshWithin: TimeInterval = 2 * 86_400) {
        self.validity = validity
        self.refreshWithin = refreshWithin
    }
}

/// One source's new version, and why it was published.
public struct PublishedChange: Hashable, Sendable {
    public enum Reason: String, Hashable, Sendable {
        case new, changed, refreshed, rollback
    }

    public var writeKey: String
    public var sourceID: String
    public var version: Int
    public var reason: Reason
    public var diff: ManifestDiff
}

public struct PublishResult: Hashable, Sendable {
    public var changes: [PublishedChange]
    /// Sources whose manifest was already current.
    public var unchanged: Int
}

public enum PublishError: Error, CustomStringConvertible {
    /// The workspace breaks connection rules: nothing was published.
    case invalid(ValidationReport)
    case unknownVersion(writeKey: String, version: Int)

    public var description: String {
        switch self {
        case .invalid(let report): "the workspace is invalid (\(report.errors.count) errors); nothing was published"
        case .unknownVersion(let writeKey, let version): "\(writeKey) has no version \(version)"
        }
    }
}

/// Validates, compiles, signs and stores manifests.
///
/// A publish is all or nothing: an invalid workspace publishes nothing, and every changed source
/// is appended in one store transaction. Versions are computed from the heads read inside that
/// transaction, which serialises concurrent publishers, so versions never repeat or go down.
public struct Publisher: Sendable {
    public let rules: ConnectionRules
    public let compiler: ManifestCompiler
    public let key: SigningKey
    public let store: any OriginStore
    public let policy: PublishPolicy

    public init(compiler: ManifestCompiler, key: SigningKey, store: any OriginStore, policy: PublishPolicy = .init()) {
        self.rules = ConnectionRules(catalog: compiler.catalog)
        self.compiler = compiler
        self.key = key
        self.store = store
        self.policy = policy
    }

    /// Publishes every source whose manifest changed (or nears expiry) since the last publish;
    /// with `sources`, only those (by id), as after an edit to one source, and with an `index`
    /// without scanning the others (see `WorkspaceIndex`).
    public func publish(
        _ workspace: Workspace, sources ids: Set<String>? = nil, index: WorkspaceIndex? = nil, now: Date
    ) async throws -> PublishResult {
        let report = rules.validate(workspace, sources: ids, index: index)
        guard report.isValid else { throw PublishError.invalid(report) }
        let sources =
            ids.map { ids in
                (index?.positions(of: ids, in: workspace) ?? WorkspaceIndex.positions(of: ids, in: workspace))
                    .map { workspace.sources[$0] }
            } ?? workspace.sources
        let compiler = self.compiler
        let compiled = Parallel.compactMap(sources) { compiler.compile($0, in: workspace) }
        let bundles = Array(compiler.bundles.artifacts.values)
        let policy = self.policy
        let key = self.key
        let published = try await store.append(writeKeys: ids == nil ? nil : compiled.map(\.writeKey)) { heads in
            let pending = compiled.compactMap { manifest in
                Self.pending(manifest, heads[manifest.writeKey], now, policy)
            }
            let signed = Parallel.compactMap(pending) { pending in
                pending.manifest.signed(
                    version: (pending.head?.version ?? 0) + 1, publishedAt: now,
                    validity: policy.validity, key: key)
            }
            return (PublishBatch(manifests: signed, bundles: bundles), Array(zip(pending, signed.map(\.version))))
        }
        var changes: [PublishedChange] = []
        for (pending, version) in published {
            let previous = try await previousContent(pending)
            changes.append(
                PublishedChange(
                    writeKey: pending.manifest.writeKey, sourceID: pending.manifest.sourceID, version: version,
                    reason: pending.reason, diff: ManifestDiff(from: previous, to: pending.manifest.content)))
        }
        return PublishResult(changes: changes, unchanged: compiled.count - changes.count)
    }

    /// A compiled manifest that needs a new version, and why.
    private struct Pending: Sendable {
        var manifest: CompiledManifest
        var head: PublishedHead?
        var reason: PublishedChange.Reason
    }

    private static func pending(
        _ manifest: CompiledManifest, _ head: PublishedHead?, _ now: Date, _ policy: PublishPolicy
    ) -> Pending? {
        guard let head else { return Pending(manifest: manifest, head: nil, reason: .new) }
        if head.contentHash != manifest.contentHash { return Pending(manifest: manifest, head: head, reason: .changed) }
        if head.expiresAt.timeIntervalSince(now) < policy.refreshWithin {
            return Pending(manifest: manifest, head: head, reason: .refreshed)
        }
        return nil
    }

    /// The content a changed source had before; a refreshed source's is the same as now.
    private func previousContent(_ pending: Pending) async throws -> JSONValue? {
        switch pending.reason {
        case .refreshed: return pending.manifest.content
        case .changed:
            guard let head = pending.head,
                let previous = try await store.manifest(writeKey: pending.manifest.writeKey, version: head.version)
            else { return nil }
            return try? JSONValue.parse(previous.body)
        case .new, .rollback: return nil
        }
    }
}
