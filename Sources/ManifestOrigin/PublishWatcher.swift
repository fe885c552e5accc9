import Foundation
import ManifestBuilder
import ManifestHTTP
import NIOCore
import Synchronization

/// Wakes the long polls waiting on `/v1/events` when the publish log grows.
///
/// Publishes are pushed: the store signals each one as it commits (`PublishSignals`), and the
/// watcher answers every waiter it has news for at once, reading the events and encoding the
/// answer once for all the polls that asked from the same sequence (usually all of them: a
/// thousand edges woken by one publish share one body). When the store cannot signal
/// other processes' publishes, one check of the store's last sequence every `interval` covers
/// them for every waiter together; PostgreSQL (LISTEN/NOTIFY) and SQLite (`SQLiteCommitWatch`)
/// signal them, and the check is only a rare safety net. No check runs
/// while nobody waits.
///
/// A `Mutex` around the waiters: each long poll registers once and is resumed once, a check
/// that has nothing to do costs two comparisons, and the lock is never held across a query.
public final class PublishWatcher: Sendable {
    private let store: any OriginStore
    private let interval: Duration
    private let state = Mutex(State())
    private let signalToken = Mutex<UInt64>(0)

    private struct Waiter {
        var after: Int64
        var deadline: ContinuousClock.Instant
        var answer: @Sendable (ByteBuffer?) -> Void
    }

    private struct State {
        var waiters: [UInt64: Waiter] = [:]
        var next: UInt64 = 0
        var checking = false
        /// No waiter asked from below this sequence, and none is due before this instant (a
        /// waiter that left early may make them lower than they are; never higher).
        var lowestAfter = Int64.max
        var earliestDeadline = State.never
        /// The highest last sequence seen: a poll that registers after the signal of a publish
        /// it has not read is answered at once, not at the next check.
        var lastKnown: Int64 = 0

        /// A deadline no waiter has: a year from the start.
        static let never = ContinuousClock.Instant.now.advanced(by: .seconds(86_400 * 365))

        mutating func recompute() {
            lowestAfter = waiters.values.lazy.map(\.after).min() ?? .max
            earliestDeadline = waiters.values.lazy.map(\.deadline).min() ?? State.never
        }
    }

    /// `interval` is the time between checks of the log for publishes the store does not signal
    /// (default: 25 ms when it signals only this process's publishes, 5 s when it signals all).
    /// How late a long poll may be answered after its deadline: a wake-up that costs a lock and
    /// two comparisons, no query.
    static let deadlineGranularity = Duration.milliseconds(250)

    public init(store: any OriginStore, interval: Duration? = nil) {
        self.store = store
        self.interval = interval ?? (store.publishSignals.coversOtherProcesses ? .seconds(5) : .milliseconds(25))
        let token = store.publishSignals.subscribe { [weak self] last in
            guard let self else { return }
            Task { _ = await self.wake(last: last) }
        }
        signalToken.withLock { $0 = token }
    }

    deinit {
        store.publishSignals.cancel(signalToken.withLock { $0 })
    }

    /// How many long polls are waiting now.
    public var waiting: Int { state.withLock { $0.waiters.count } }

    /// Whether a checking loop runs (for tests).
    var isChecking: Bool { state.withLock { $0.checking } }

    /// The highest last sequence of the log seen so far (0 before the first signal or check): a
    /// poll from there has nothing to read until the next publish, which wakes it.
    public var knownEnd: Int64 { state.withLock { $0.lastKnown } }

    /// Waits until the log has an event after `after` and returns the answer: the encoded
    /// `EventBatch` of the events from there (at most 500). Returns nil at `deadline`, when the
    /// task is cancelled, or when reading the events failed (within one `interval`; the caller
    /// then reads for itself).
    public func wait(after: Int64, until deadline: ContinuousClock.Instant) async -> ByteBuffer? {
        let id = reserveID()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ByteBuffer?, Never>) in
                register(id, after: after, until: deadline, cancelled: { Task.isCancelled }) {
                    continuation.resume(returning: $0)
                }
            }
        } onCancel: {
            cancel(id)
        }
    }

    /// `wait` for code that is not async (a channel handler): calls `answer` once, from any
    /// thread, with what `wait` would return. The token ends the wait early with `cancel`.
    public func watch(
        after: Int64, until deadline: ContinuousClock.Instant, answer: @escaping @Sendable (ByteBuffer?) -> Void
    ) -> UInt64 {
        let id = reserveID()
        register(id, after: after, until: deadline, cancelled: { false }, answer: answer)
        return id
    }

    /// Ends a wait at once: its answer is nil. Nothing happens when it was answered already.
    public func cancel(_ id: UInt64) {
        state.withLock { $0.waiters.removeValue(forKey: id) }?.answer(nil)
    }

    private func reserveID() -> UInt64 {
        state.withLock { state in
            defer { state.next += 1 }
            return state.next
        }
    }

    private func register(
        _ id: UInt64, after: Int64, until deadline: ContinuousClock.Instant, cancelled: () -> Bool,
        answer: @escaping @Sendable (ByteBuffer?) -> Void
    ) {
        let (startChecking, missed) = state.withLock { state in
            // Checked under the lock: a cancellation after it finds the waiter and removes it.
            if cancelled() { return (nil as Bool?, nil as Int64?) }
            state.waiters[id] = Waiter(after: after, deadline: deadline, answer: answer)
            state.lowestAfter = min(state.lowestAfter, after)
            state.earliestDeadline = min(state.earliestDeadline, deadline)
            defer { state.checking = true }
            return (!state.checking, state.lastKnown > after ? state.lastKnown : nil)
        }
        if let missed { Task { _ = await wake(last: missed) } }
        switch startChecking {
        case nil: answer(nil)
        case true?: Task { await check() }
        case false?: break
        }
    }

    /// The checking loop: runs while anybody waits, and wakes for the next check, the earliest
    /// deadline, or at the latest after `deadlineGranularity` (a poll that came in meanwhile may
    /// be due sooner), whichever comes first.
    private func check() async {
        var nextCheck = ContinuousClock.now + interval
        while true {
            let deadline = state.withLock { $0.earliestDeadline }
            try? await Task.sleep(until: min(nextCheck, deadline, .now + Self.deadlineGranularity))
            var last: Int64?
            if ContinuousClock.now >= nextCheck {
                last = try? await store.lastSequence()
                nextCheck = ContinuousClock.now + interval
            }
            if await !wake(last: last) { return }
        }
    }

    /// Answers the waiters `last` has news for (one read and one encoding per starting sequence)
    /// and those past their deadline; false (and the loop ends) when nobody is left waiting.
    private func wake(last: Int64?) async -> Bool {
        let now = ContinuousClock.now
        let (news, due, remaining) = state.withLock { state in
            state.lastKnown = max(state.lastKnown, last ?? 0)
            let hasNews = last.map { $0 > state.lowestAfter } ?? false
            guard hasNews || state.earliestDeadline <= now else {
                // Everybody left early (cancelled): the loop ends, and the next poll starts one.
                if state.waiters.isEmpty {
                    state.checking = false
                    state.recompute()
                }
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
        for waiter in due { waiter.answer(nil) }
        for (after, waiters) in Dictionary(grouping: news, by: \.after) {
            let body = (try? await store.events(after: after, limit: 500)).map { events in
                OriginController.eventsBody(events, last: events.last?.sequence ?? after)
            }
            for waiter in waiters { waiter.answer(body) }
        }
        return remaining
    }
}
