import Synchronization

/// Tells whoever waits on the publish log (the origin's long polls) that it grew, as soon as a
/// publish commits, so that waiting costs nothing while nothing is published.
///
/// A store sends the log's last sequence after each of its publishes. `coversOtherProcesses`
/// says whether publishes made by other processes arrive too (PostgreSQL's LISTEN/NOTIFY;
/// SQLite's `SQLiteCommitWatch`) or only this process's (waiters then poll for those). A `Mutex`: subscribing is rare, sending is one lock and a few calls.
public final class PublishSignals: Sendable {
    /// Whether publishes committed by other processes are signalled too.
    public let coversOtherProcesses: Bool
    private let onFirstSubscriber: @Sendable (PublishSignals) -> Void
    private let state = Mutex(State())

    private struct State {
        var handlers: [UInt64: @Sendable (Int64) -> Void] = [:]
        var next: UInt64 = 0
        var started = false
    }

    /// `onFirstSubscriber` starts whatever listens for other processes' publishes and sends them
    /// here, once, when somebody first waits (a publishing command never does).
    public init(coversOtherProcesses: Bool, onFirstSubscriber: @escaping @Sendable (PublishSignals) -> Void = { _ in })
    {
        self.coversOtherProcesses = coversOtherProcesses
        self.onFirstSubscriber = onFirstSubscriber
    }

    /// Calls `handler` with the last sequence after every publish, until `cancel` is called
    /// with the returned token.
    @discardableResult
    public func subscribe(_ handler: @escaping @Sendable (Int64) -> Void) -> UInt64 {
        let (token, first) = state.withLock { state in
            defer { state.next += 1 }
            state.handlers[state.next] = handler
            defer { state.started = true }
            return (state.next, !state.started)
        }
        if first { onFirstSubscriber(self) }
        return token
    }

    public func cancel(_ token: UInt64) {
        _ = state.withLock { $0.handlers.removeValue(forKey: token) }
    }

    /// Tells every subscriber that the log now ends at `sequence`.
    public func send(_ sequence: Int64) {
        for handler in state.withLock({ Array($0.handlers.values) }) { handler(sequence) }
    }
}
