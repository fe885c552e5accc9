import Foundation
import Logging
import ManifestBuilder
import ManifestHTTP
import ServiceLifecycle
import Synchronization

/// Follows the origin's invalidation stream (`/v1/events`, long polling) and soft-purges what
/// each publish changed, so that a publish reaches the edge without waiting out the TTL.
///
/// It remembers the last sequence it applied and asks for what came after, so a dropped
/// connection or an origin restart loses no invalidation; while the stream is down the TTL is
/// still the bound. A `Service`: it stops on graceful shutdown.
public final class InvalidationSubscriber: Service {
    /// The edge's name tells the origin which edge has applied what (the console shows it).
    private let stream: EventStreamFollower
    private let cache: EdgeCache
    private let retryDelay: Duration
    private let logger: Logger
    private let state: Mutex<State>

    private struct State {
        var applied: Int64?
        var waiters: [(id: UInt64, sequence: Int64, continuation: CheckedContinuation<Void, Never>)] = []
        var nextWaiter: UInt64 = 0
        /// The events applied lately, oldest first: what this edge relays to edges behind it.
        var recent: [PublishEvent] = []
    }

    /// How many applied events are kept for edges that follow this one.
    static let relayedEvents = 10_000

    /// `upstream` should allow a request `wait` seconds longer than its usual deadline.
    /// `startAfter` resumes from a sequence already applied (nil: from now on).
    public init(
        upstream: any Upstream, cache: EdgeCache, wait: Int = 20, retryDelay: Duration = .seconds(1),
        startAfter: Int64? = nil, logger: Logger
    ) {
        self.stream = EventStreamFollower(upstream: upstream, name: cache.configuration.name, wait: wait)
        self.cache = cache
        self.retryDelay = retryDelay
        self.logger = logger
        self.state = Mutex(State(applied: startAfter))
    }

    /// The last sequence applied (nil before the first answer).
    public var appliedSequence: Int64? { state.withLock { $0.applied } }

    /// Returns once every event up to `sequence` has been applied, or when the task is cancelled.
    public func waitUntilApplied(_ sequence: Int64) async {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let done = state.withLock { state in
                    if let applied = state.applied, applied >= sequence { return true }
                    if Task.isCancelled { return true }
                    state.waiters.append((id, sequence, continuation))
                    return false
                }
                if done { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                state.waiters.firstIndex { $0.id == id }.map { state.waiters.remove(at: $0) }
            }
            waiter?.continuation.resume()
        }
    }

    /// The events this edge applied after `sequence`, for an edge that follows this one: it
    /// sees an invalidation only once this edge has applied it, so its refetch cannot get the
    /// old copy from here. Waits up to `wait` for one. `reset` means `sequence` is older than
    /// the events kept: the follower should purge everything.
    public func relayedEvents(after sequence: Int64, wait: Duration) async -> EventBatch {
        func snapshot() -> EventBatch {
            state.withLock { state in
                let last = state.applied ?? 0
                if let oldest = state.recent.first, sequence < oldest.sequence - 1 {
                    return EventBatch(events: [], last: last, reset: true)
                }
                return EventBatch(events: state.recent.filter { $0.sequence > sequence }, last: max(last, sequence))
            }
        }
        let now = snapshot()
        guard now.events.isEmpty, now.reset != true, wait > .zero else { return now }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitUntilApplied(sequence + 1) }
            group.addTask { try? await Task.sleep(for: wait) }
            await group.next()
            group.cancelAll()
        }
        return snapshot()
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await EventStreamFollower.repeating(
                "invalidation stream", retryDelay: self.retryDelay, logger: self.logger,
                failed: { self.cache.metrics.streamFailed() }
            ) { try await self.poll() }
        }
    }

    private func poll() async throws {
        let applied = appliedSequence
        let batch = try await stream.events(after: applied)
        if batch.reset == true {
            cache.purge(.all, soft: true)
            logger.info("invalidation stream lost its place; everything purged (soft)")
        }
        for event in batch.events where event.sequence > (applied ?? 0) {
            cache.purge(.surrogateKey("writekey:\(event.writeKey)"), soft: true)
            cache.metrics.invalidated(sequence: event.sequence)
            logger.debug("invalidated", metadata: ["sequence": "\(event.sequence)", "writeKey": "\(event.writeKey)"])
        }
        let ready = state.withLock { state in
            state.recent += batch.events.filter { $0.sequence > (applied ?? 0) }
            if state.recent.count > Self.relayedEvents {
                state.recent.removeFirst(state.recent.count - Self.relayedEvents)
            }
            state.applied = max(state.applied ?? 0, batch.last)
            let applied = state.applied!
            let ready = state.waiters.filter { $0.sequence <= applied }
            state.waiters.removeAll { $0.sequence <= applied }
            return ready
        }
        for waiter in ready { waiter.continuation.resume() }
    }
}
