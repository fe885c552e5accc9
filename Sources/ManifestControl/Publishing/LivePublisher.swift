import Foundation
import Logging
import ManifestBuilder
import Synchronization

/// Republishes sources after a change, through the incremental `Publisher` path.
///
/// Publishes run one at a time, in the order they were asked for, and each publishes the
/// workspace as the store holds it when the publish starts (not the copy the write produced):
/// two writes that commit r5 then r6 can never end with r5's manifest served, whatever order
/// their requests finish in. The queue is a `Mutex` around the tail task (a lock held for one
/// assignment, not across the publish).
public final class LivePublisher: Sendable {
    public let publisher: Publisher
    public let store: any WorkspaceStateStore
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let tail = Mutex<Task<Void, Never>?>(nil)
    /// The event sequence of each write key's last publish made here.
    private let sequences = Mutex<[String: Int64]>([:])

    public init(
        publisher: Publisher, store: any WorkspaceStateStore, logger: Logger, now: @escaping @Sendable () -> Date
    ) {
        self.publisher = publisher
        self.store = store
        self.logger = logger
        self.now = now
    }

    /// Publishes these sources of the workspace (all of them when nil) and reports, per source
    /// id, what happened to its manifest.
    func publish(workspace id: String, sources: Set<String>?) async -> [String: ManifestOutcome] {
        let task = tail.withLock { tail in
            let previous = tail
            let task = Task { [self] in
                await previous?.value
                return await run(workspace: id, sources: sources)
            }
            tail = Task { _ = await task.value }
            return task
        }
        return await task.value
    }

    /// Republishes every source of every workspace: what a start runs, so that a change whose
    /// publish failed after it was saved reaches the edges. Idempotent (unchanged content is
    /// not republished).
    public func republishAll() async throws -> Int {
        var failures = 0
        for id in try await store.workspaceIDs() {
            let outcomes = await publish(workspace: id, sources: nil)
            failures += outcomes.values.filter { $0.status == .failed }.count
        }
        return failures
    }

    private func run(workspace id: String, sources: Set<String>?) async -> [String: ManifestOutcome] {
        do {
            guard let stored = try await store.workspace(id: id) else { return [:] }
            let workspace = stored.workspace
            let targets = workspace.sources.filter { sources?.contains($0.id) ?? true }
            let result = try await publisher.publish(workspace, sources: Set(targets.map(\.id)), now: now())
            var outcomes: [String: ManifestOutcome] = [:]
            for source in targets {
                outcomes[source.id] = try await outcome(for: source, result)
            }
            return outcomes
        } catch {
            logger.error("publish failed", metadata: ["workspace": "\(id)", "error": "\(Self.describe(error))"])
            let detail =
                "The change was saved but publishing failed (\(Self.describe(error))); "
                + "it is published again on the next change or start."
            // Keyed by source id; a whole-workspace publish that failed is keyed by the workspace id.
            let keys = sources ?? [id]
            return Dictionary(uniqueKeysWithValues: keys.map { ($0, ManifestOutcome(status: .failed, detail: detail)) })
        }
    }

    private func outcome(for source: Source, _ result: PublishResult) async throws -> ManifestOutcome {
        if let change = result.changes.first(where: { $0.sourceID == source.id }) {
            // Publishes run one at a time, so the log's last sequence is this publish's (or, with
            // another publishing process, a later one: later only makes the edge status cautious).
            let sequence = try await publisher.store.lastSequence()
            sequences.withLock { $0[change.writeKey] = sequence }
            return ManifestOutcome(status: .published, writeKey: change.writeKey, version: change.version)
        }
        guard source.kind != .server else { return ManifestOutcome(status: .noManifest, writeKey: source.writeKey) }
        let latest = try await publisher.store.latest(writeKey: source.writeKey)
        return ManifestOutcome(status: .unchanged, writeKey: source.writeKey, version: latest?.version)
    }

    /// The publish sequence an edge must have applied to serve the write key's latest manifest:
    /// the one recorded at its last publish here, else (after a restart) the log's last sequence,
    /// which errs on the side of "not yet".
    func publishedSequence(writeKey: String) async throws -> Int64 {
        if let sequence = sequences.withLock({ $0[writeKey] }) { return sequence }
        return try await publisher.store.lastSequence()
    }

    /// Error descriptions without workspace content: a rule report is summarised by its count.
    private static func describe(_ error: any Error) -> String {
        switch error {
        case PublishError.invalid(let report): "the workspace has \(report.errors.count) rule violation(s)"
        case let error as OriginStoreError: error.description
        default: String(describing: type(of: error))
        }
    }
}
