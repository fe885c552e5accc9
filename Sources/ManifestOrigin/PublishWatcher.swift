import Foundation
import ManifestBuilder
import Synchronization

/// Wakes the long polls waiting on `/v1/events` when the publish log grows.
///
/// One check of the store's last sequence every `interval` serves every waiting subscriber
/// together (a thousand waiting edges cost the store 40 small queries a second, not 40,000),
/// no check runs while nobody waits, and the events are read once for all the polls that asked
/// from the same sequence (usually all of them). Publishes made by another process (`manifest
/// publish`, the control plane) are seen at the next check; a publisher in this process can
/// call `notify()` to wake the waiters at once.
///
/// A `Mutex` around the waiters: each long poll registers once and is resumed once, a check
/// that has nothing to do costs two comparisons, and the lock is never held across a query.
public final class PublishWatcher: Sendable {
    private let store: any OriginStore
    private let interval: Duration
    private let state = Mutex(State())

    private struct Waiter {
        var after: Int64
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<[PublishEvent]?, Never>
    }

    private struct State {
        var waiters: [UInt64: Waiter] = [:]
        var next: UInt64 = 0
        var checking = false
        /// No waiter asked from below this sequence, and none is due before this instant (a
        /// waiter that left early may make them lower than they are; never higher).
        var lowestAfter = Int64.max
        var earliestDeadline = State.never

        /// A deadline no waiter has: a year from the start.
        static let never = ContinuousClock.Instant.now.advanced(by: .seconds(86_400 * 365))

        mutating func recompute() {
            lowestAfter = waiters.values.lazy.map(\.after).min() ?? .max
            earliestDeadline = waiters.values.lazy.map(\.deadline).min() ?? State.never
        }
    }

    public init(store: any OriginStore, interval: Duration = .milliseconds(25)) {
        self.store = store
        self.interval = interval
    }

    /// How many long polls are waiting now.
    public var waiting: Int { state.withLock { $0.waiters.count } }

    /// Waits until the log has an event after `after` and returns the events from there (at most
    /// 500), or returns nil at `deadline`, when the task is cancelled, or when reading the events
    /// failed (within one `interval`; the caller then reads for itself).
    public func wait(after: Int64, until deadline: ContinuousClock.Instant) async -> [PublishEvent]? {
        let id = state.withLock { state in
            defer { state.next += 1 }
            return state.next
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[PublishEvent]?, Never>) in
                let startChecking = state.withLock { state in
                    if Task.isCancelled { return nil as Bool? }
                    state.waiters[id] = Waiter(after: after, deadline: deadline, continuation: continuation)
                    state.lowestAfter = min(state.lowestAfter, after)
                    state.earliestDeadline = min(state.earliestDeadline, deadline)
                    defer { state.checking = true }
                    return !state.checking
                }
                switch startChecking {
                case nil: continuation.resume(returning: nil)
                case true?: Task { await check() }
                case false?: break
                }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume(returning: nil)
        }
    }

    /// Checks the log now and wakes whoever it has news for.
    public func notify() {
        Task { _ = await wake(last: try? await store.lastSequence()) }
    }

    /// The checking loop: runs while anybody waits.
    private func check() async {
        while true {
            try? await Task.sleep(for: interval)
            if await !wake(last: try? await store.lastSequence()) { return }
        }
    }

    /// Answers the waiters `last` has news for (reading the events once per starting sequence)
    /// and those past their deadline; false (and the loop ends) when nobody is left waiting.
    private func wake(last: Int64?) async -> Bool {
        let now = ContinuousClock.now
        let (news, due, remaining) = state.withLock { state in
            let hasNews = last.map { $0 > state.lowestAfter } ?? false
            guard hasNews || state.earliestDeadline <= now else {
                return ([Waiter](), [Waiter](), !state.waiters.isEmpty)
            }
            var news: [Waiter] = []
            var due: [Waiter] = []
            for (id, waiter) in state.waiters {
                if let last, last > waiter.after {
                    news.append(waiter)
                } else if waiter.deadline <= now {
                    due.append(waiter)
                } else {
                    continue
                }
                state.waiters[id] = nil
            }
            state.recompute()
            if state.waiters.isEmpty { state.checking = false }
            return (news, due, !state.waiters.isEmpty)
        }
        for waiter in due { waiter.continuation.resume(returning: nil) }
        for (after, waiters) in Dictionary(grouping: news, by: \.after) {
            let events = try? await store.events(after: after, limit: 500)
            for waiter in waiters { waiter.continuation.resume(returning: events) }
        }
        return remaining
    }
}
