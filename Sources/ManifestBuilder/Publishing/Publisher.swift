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
///
/// Inside the transaction the sources are compiled, signed and written in batches of
/// `batchSize` (issue 16), the next batch built while the store writes the last one, and never
/// more than one ahead (`Pipeline`): memory stays flat however many sources a workspace has,
/// when the store writes each batch as it comes (SQLite and PostgreSQL do; the default
/// `appendBatches` of other stores gathers them). Unchanged sources are compiled (their
/// content hash is how they are known to be unchanged) but neither signed nor written.
public struct Publisher: Sendable {
    public let rules: ConnectionRules
    public let compiler: ManifestCompiler
    public let key: SigningKey
    public let store: any OriginStore
    public let policy: PublishPolicy
    /// Sources compiled, signed and written together: large enough to keep both cores busy
    /// between writes, small enough that a batch's documents are a few MiB.
    public var batchSize: Int

    public init(
        compiler: ManifestCompiler, key: SigningKey, store: any OriginStore, policy: PublishPolicy = .init(),
        batchSize: Int = 1_024
    ) {
        self.rules = ConnectionRules(catalog: compiler.catalog)
        self.compiler = compiler
        self.key = key
        self.store = store
        self.policy = policy
        self.batchSize = max(1, batchSize)
    }

    /// Publishes every source whose manifest changed (or nears expiry) since the last publish;
    /// with `sources`, only those (by id), as after an edit to one source, and with an `index`
    /// without scanning the others (see `WorkspaceIndex`). `progress` is called after each
    /// batch with the sources done so far and their total.
    public func publish(
        _ workspace: Workspace, sources ids: Set<String>? = nil, index: WorkspaceIndex? = nil, now: Date,
        progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil
    ) async throws -> PublishResult {
        try await result(
            of: publish(workspace, sources: ids, index: index, now: now, recording: nil, progress: progress))
    }

    /// The publish, committed; with `inputDigest` (a whole workspace only), its last batch
    /// records a `PublishMarker` in the same transaction (`publishFile`).
    func publish(
        _ workspace: Workspace, sources ids: Set<String>? = nil, index: WorkspaceIndex? = nil, now: Date,
        recording inputDigest: String?, progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil
    ) async throws -> Outcome {
        precondition(inputDigest == nil || ids == nil, "a publish marker stands for a whole workspace")
        let report = rules.validate(workspace, sources: ids, index: index)
        guard report.isValid else { throw PublishError.invalid(report) }
        let positions =
            ids.map { ids in
                index?.positions(of: ids, in: workspace) ?? WorkspaceIndex.positions(of: ids, in: workspace)
            } ?? Array(workspace.sources.indices)
        let writeKeys = ids == nil ? nil : positions.map { workspace.sources[$0].writeKey }
        let batchSize = self.batchSize
        return try await store.appendBatches(writeKeys: writeKeys) { heads, write in
            var outcome = Outcome()
            try writeBundles(write)
            // While one batch is written, the next is compiled and signed on both cores.
            let batches = stride(from: 0, to: positions.count, by: batchSize).map { start in
                Array(positions[start..<min(start + batchSize, positions.count)])
            }
            try Pipeline.run(batches) { batch in
                Result { try build(batch.map { workspace.sources[$0] }, of: workspace, heads: heads, now: now) }
            } consume: { result in
                let built = try result.get()
                try write(PublishBatch(manifests: built.signed))
                outcome.add(built)
                progress?(outcome.sources, positions.count)
            }
            if let inputDigest { try writeMarker(inputDigest, for: outcome, write) }
            return outcome
        }
    }

    /// Bundles first: a conflicting bundle fails the publish before any manifest is signed.
    func writeBundles(_ write: (PublishBatch) throws -> Void) throws {
        try write(PublishBatch(manifests: [], bundles: Array(compiler.bundles.artifacts.values)))
    }

    /// Compiles `sources` on both cores, and signs those whose manifest needs a new version.
    ///
    /// One pass per source, compile to signature: each compiled document is also let go on
    /// the core that built it (freeing the trees of a batch on one thread was 6% of a publish).
    func build(_ sources: [Source], of workspace: Workspace, heads: PublishedHeads, now: Date) throws
        -> BuiltBatch
    {
        let (compiler, policy, key) = (self.compiler, self.policy, self.key)
        let heads = try heads(sources.map(\.writeKey))
        enum Built: Sendable {
            /// Current: the stored version's expiry, if it has one.
            case unchanged(Date?)
            case published(SignedManifest, Published)
        }
        let built = Parallel.compactMap(sources) { source -> Built? in
            guard let manifest = compiler.compile(source, in: workspace) else { return nil }
            let head = heads[manifest.writeKey]
            guard let change = Self.pending(manifest, head, now, policy) else { return .unchanged(head?.expiresAt) }
            let signed = change.manifest.signed(
                version: (head?.version ?? 0) + 1, publishedAt: now, validity: policy.validity, key: key)
            return .published(signed, Published(pending: change, version: signed.version))
        }
        var batch = BuiltBatch(sources: sources.count, compiled: built.count, signed: [], published: [])
        for outcome in built {
            // When the batch's manifests expire once it is written: the new versions' expiry, or
            // the stored one of an unchanged source.
            let expiry: Date?
            switch outcome {
            case .unchanged(let stored): expiry = stored
            case .published(let signed, let published):
                batch.signed.append(signed)
                batch.published.append(published)
                expiry = signed.expiresAt
            }
            if let expiry { batch.earliestExpiry = min(batch.earliestExpiry ?? expiry, expiry) }
        }
        return batch
    }

    /// The `PublishMarker` of a whole-workspace file publish, in its last batch.
    func writeMarker(_ inputDigest: String, for outcome: Outcome, _ write: (PublishBatch) throws -> Void) throws {
        // An unchanged source is re-signed once less than `refreshWithin` of it is left.
        // Expiries are whole seconds (`signed`) and the marker rounds down: never later than
        // the full path would re-sign.
        let refreshAt = outcome.earliestExpiry.map { $0 - policy.refreshWithin } ?? .distantFuture
        try write(
            PublishBatch(
                manifests: [],
                marker: PublishMarker(inputDigest: inputDigest, manifests: outcome.compiled, refreshAt: refreshAt)))
    }

    /// The result once committed: each published source with what changed.
    func result(of outcome: Outcome) async throws -> PublishResult {
        var changes: [PublishedChange] = []
        changes.reserveCapacity(outcome.published.count)
        try await report(outcome) { changes.append($0) }
        return PublishResult(changes: changes, unchanged: outcome.unchanged)
    }

    /// Each published source with what changed, once committed, in order.
    func report(_ outcome: Outcome, _ each: (PublishedChange) throws -> Void) async throws {
        try await outcome.published.readBack { published in
            try each(
                PublishedChange(
                    writeKey: published.writeKey, sourceID: published.sourceID, version: published.version,
                    reason: published.reason, diff: try await diff(published)))
        }
    }

    /// A compiled manifest that needs a new version, and why.
    struct Pending: Sendable {
        var manifest: CompiledManifest
        var head: PublishedHead?
        var reason: PublishedChange.Reason
    }

    /// What is kept of a published source once its batch is written, not the document: the
    /// diff of a new or refreshed source, which needs nothing else; for a changed source, the
    /// destinations it lists (a digest each), compared with the stored version afterwards.
    struct Published: Sendable, Equatable {
        var writeKey: String
        var sourceID: String
        var version: Int
        var reason: PublishedChange.Reason
        var previousVersion: Int?
        var diff: Diff

        enum Diff: Sendable, Equatable {
            case known(ManifestDiff)
            case against(ManifestDiff.Destinations)
        }

        init(pending: Pending, version: Int) {
            writeKey = pending.manifest.writeKey
            sourceID = pending.manifest.sourceID
            self.version = version
            reason = pending.reason
            previousVersion = pending.head?.version
            let destinations = ManifestDiff.Destinations(pending.manifest.content)
            diff =
                switch reason {
                case .changed: .against(destinations)
                case .refreshed: .known(ManifestDiff(from: destinations, to: destinations))
                case .new, .rollback: .known(ManifestDiff(from: nil, to: destinations))
                }
        }
    }

    /// One batch, compiled and signed, on its way to the store.
    struct BuiltBatch: Sendable {
        var sources: Int
        var compiled: Int
        var signed: [SignedManifest]
        var published: [Published]
        /// The earliest expiry of the batch's manifests once it is written.
        var earliestExpiry: Date? = nil
    }

    /// What the batches written so far add up to.
    struct Outcome: Sendable {
        var sources = 0
        var compiled = 0
        var published = PublishedLog()
        var earliestExpiry: Date?

        /// The sources compiled whose manifest was already current.
        var unchanged: Int { compiled - published.count }

        mutating func add(_ built: BuiltBatch) {
            sources += built.sources
            compiled += built.compiled
            published.append(contentsOf: built.published)
            earliestExpiry = [earliestExpiry, built.earliestExpiry].compactMap { $0 }.min()
        }
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

    /// What changed since the version before: a changed source is compared with the stored one.
    private func diff(_ published: Published) async throws -> ManifestDiff {
        switch published.diff {
        case .known(let diff): return diff
        case .against(let destinations):
            guard let version = published.previousVersion,
                let previous = try await store.manifest(writeKey: published.writeKey, version: version),
                let content = try? JSONValue.parse(previous.body)
            else { return ManifestDiff(from: nil, to: destinations) }
            return ManifestDiff(from: ManifestDiff.Destinations(content), to: destinations)
        }
    }
}
