import Foundation
import ManifestBuilder
import Synchronization

/// Wakes the long polls waiting on `/v1/events` when the publish log grows.
///
/// One check of the store's last sequence every `interval` serves every waiting subscriber
/// together (a thousand waiting edges cost the store 40 small queries a second, not 40,000),
/// and no check runs while nobody waits. Publishes made by another process (`manifest publish`,
/// the control plane) are seen at the next check; a publisher in this process can call
/// `notify()` to wake the waiters at once.
///
/// A `Mutex` around the waiters: each long poll registers once and is resumed once, and the lock
/// is never held across a store query.
public final class PublishWatcher: Sendable {
    private let store: any OriginStore
    private let interval: Duration
    private let state = Mutex(State())

    private struct Waiter {
        var after: Int64
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var waiters: [UInt64: Waiter] = [:]
        var next: UInt64 = 0
        var checking = false
    }

    public init(store: any OriginStore, interval: Duration = .milliseconds(25)) {
        self.store = store
        self.interval = interval
    }

    /// How many long polls are waiting now.
    public var waiting: Int { state.withLock { $0.waiters.count } }

    /// Returns once the log has an event after `after`, at `deadline`, or when the task is
    /// cancelled, whichever comes first (within one `interval`).
    public func wait(after: Int64, until deadline: ContinuousClock.Instant) async {
        let id = state.withLock { state in
            defer { state.next += 1 }
            return state.next
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let startChecking = state.withLock { state in
                    if Task.isCancelled { return nil as Bool? }
                    state.waiters[id] = Waiter(after: after, deadline: deadline, continuation: continuation)
                    defer { state.checking = true }
                    return !state.checking
                }
                switch startChecking {
                case nil: continuation.resume()
                case true?: Task { await check() }
                case false?: break
                }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume()
        }
    }

    /// Checks the log now and wakes whoever it has news for.
    public func notify() {
        Task {
            let last = try? await store.lastSequence()
            wake(last: last, now: .now)
        }
    }

    /// The checking loop: runs while anybody waits.
    private func check() async {
        while true {
            try? await Task.sleep(for: interval)
            let last = try? await store.lastSequence()
            if !wake(last: last, now: .now) { return }
        }
    }

    /// Resumes the waiters `last` has news for and those past their deadline; false (and the
    /// loop ends) when nobody is left waiting.
    @discardableResult
    private func wake(last: Int64?, now: ContinuousClock.Instant) -> Bool {
        let (ready, remaining) = state.withLock { state in
            var ready: [CheckedContinuation<Void, Never>] = []
            for (id, waiter) in state.waiters where (last.map { $0 > waiter.after } ?? false) || waiter.deadline <= now
            {
                ready.append(waiter.continuation)
                state.waiters[id] = nil
            }
            if state.waiters.isEmpty { state.checking = false }
            return (ready, !state.waiters.isEmpty)
        }
        for continuation in ready { continuation.resume() }
        return remaining
    }
}
