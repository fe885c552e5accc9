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
    /// Other publishers kept winning; nothing of this attempt was published.
    case contention(attempts: Int)

    public var description: String {
        switch self {
        case .invalid(let report): "the workspace is invalid (\(report.errors.count) errors); nothing was published"
        case .unknownVersion(let writeKey, let version): "\(writeKey) has no version \(version)"
        case .contention(let attempts): "gave up after \(attempts) attempts lost to concurrent publishers"
        }
    }
}

/// Validates, compiles, signs and stores manifests.
///
/// A publish is all or nothing: an invalid workspace publishes nothing, and every changed source
/// is appended in one store transaction. Versions come from the store's heads; when another
/// publisher appends first, the store refuses the stale versions and the publish starts over,
/// so versions never repeat or go down.
public struct Publisher: Sendable {
    public let rules: ConnectionRules
    public let compiler: ManifestCompiler
    public let key: SigningKey
    public let store: any OriginStore
    public let policy: PublishPolicy

    public static let maxAttempts = 5

    public init(compiler: ManifestCompiler, key: SigningKey, store: any OriginStore, policy: PublishPolicy = .init()) {
        self.rules = ConnectionRules(catalog: compiler.catalog)
        self.compiler = compiler
        self.key = key
        self.store = store
        self.policy = policy
    }

    /// Publishes every source whose manifest changed (or nears expiry) since the last publish.
    public func publish(_ workspace: Workspace, now: Date) async throws -> PublishResult {
        let report = rules.validate(workspace)
        guard report.isValid else { throw PublishError.invalid(report) }
        let compiled = await compileAll(workspace)
        for _ in 0..<Self.maxAttempts {
            let heads = try await store.heads()
            var pending: [(CompiledManifest, PublishedHead?, PublishedChange.Reason)] = []
            for manifest in compiled {
                let head = heads[manifest.writeKey]
                switch head {
                case nil: pending.append((manifest, nil, .new))
                case let head? where head.contentHash != manifest.contentHash: pending.append((manifest, head, .changed))
                case let head? where head.expiresAt.timeIntervalSince(now) < policy.refreshWithin:
                    pending.append((manifest, head, .refreshed))
                default: continue
                }
            }
            let signed = await signAll(pending.map { ($0.0, ($0.1?.version ?? 0) + 1) }, now: now)
            do {
                try await store.append(signed, bundles: Array(compiler.bundles.artifacts.values))
            } catch OriginStoreError.conflict {
                continue
            }
            var changes: [PublishedChange] = []
            for ((manifest, head, reason), published) in zip(pending, signed) {
                let previous = try await previousContent(
                    head, writeKey: manifest.writeKey, reason: reason, current: manifest.content)
                changes.append(PublishedChange(
                    writeKey: manifest.writeKey, sourceID: manifest.sourceID, version: published.version, reason: reason,
                    diff: ManifestDiff(from: previous, to: manifest.content)))
            }
            return PublishResult(changes: changes, unchanged: compiled.count - signed.count)
        }
        throw PublishError.contention(attempts: Self.maxAttempts)
    }

    /// The content a changed source had before; a refreshed source's is the same as now.
    private func previousContent(
        _ head: PublishedHead?, writeKey: String, reason: PublishedChange.Reason, current: JSONValue
    ) async throws -> JSONValue? {
        switch reason {
        case .refreshed: return current
        case .changed:
            guard let head, let previous = try await store.manifest(writeKey: writeKey, version: head.version) else { return nil }
            return try? JSONDecoder().decode(JSONValue.self, from: Data(previous.body))
        case .new, .rollback: return nil
        }
    }

    /// Compiles every source, spread over the machine's cores.
    private func compileAll(_ workspace: Workspace) async -> [CompiledManifest] {
        let compiler = self.compiler
        return await Self.parallelMap(workspace.sources) { source in compiler.compile(source, in: workspace) }
    }

    private func signAll(_ items: [(CompiledManifest, Int)], now: Date) async -> [SignedManifest] {
        let key = self.key
        let validity = policy.validity
        return await Self.parallelMap(items) { manifest, version in
            manifest.signed(version: version, publishedAt: now, validity: validity, key: key)
        }
    }

    /// `transform` over `items` in as many chunks as there are cores, results in order.
    static func parallelMap<Item: Sendable, Output: Sendable>(
        _ items: [Item], _ transform: @escaping @Sendable (Item) -> Output?
    ) async -> [Output] {
        let chunkCount = max(1, min(items.count, ProcessInfo.processInfo.activeProcessorCount))
        let chunkSize = (items.count + chunkCount - 1) / max(chunkCount, 1)
        return await withTaskGroup(of: (Int, [Output]).self) { group in
            for chunk in 0..<chunkCount {
                let slice = items[min(chunk * chunkSize, items.count)..<min((chunk + 1) * chunkSize, items.count)]
                group.addTask { (chunk, slice.compactMap(transform)) }
            }
            var results = [[Output]](repeating: [], count: chunkCount)
            for await (chunk, outputs) in group { results[chunk] = outputs }
            return results.flatMap { $0 }
        }
    }
}
