import Foundation
import Synchronization

/// Where servers and clients read the time. Injected, so that a 30-minute TTL can be tested in
/// microseconds and a simulation can run on virtual time.
public protocol WallClock: Sendable {
    func now() -> Date
}

/// The system's wall clock.
public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that moves only when told to.
public final class ManualClock: WallClock {
    private let current: Mutex<Date>

    /// Starts at `start`, by default the current wall time (so that it agrees with the `Date`
    /// fields real servers send).
    public init(_ start: Date = Date()) {
        current = Mutex(start)
    }

    public func now() -> Date { current.withLock { $0 } }

    public func advance(by duration: Duration) {
        current.withLock { $0 = $0.addingTimeInterval(duration.seconds) }
    }

    /// Moves the clock to `date` (never backwards).
    public func set(_ date: Date) {
        current.withLock { $0 = max($0, date) }
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    public var seconds: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
