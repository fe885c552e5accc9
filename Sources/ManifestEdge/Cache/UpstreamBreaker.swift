import Foundation

/// Leaves a failing upstream alone for a while: after `threshold` failures in a row it opens
/// for `backoff`, during which fetches are not sent (stale copies answer, or the failure does);
/// then one fetch probes it, and a success closes it. An origin outage then costs the origin one
/// request per backoff, not one per client request, and the logs one line per transition.
///
/// A value type: the cache keeps it behind a `Mutex` (a few comparisons per fetch).
struct UpstreamBreaker {
    let threshold: Int
    let backoff: TimeInterval
    private(set) var failures = 0
    private(set) var openUntil: Date?

    init(threshold: Int, backoff: Duration) {
        self.threshold = max(1, threshold)
        self.backoff = backoff.seconds
    }

    /// Whether a fetch may go upstream now. When the backoff is over, the first caller gets to
    /// probe, and the breaker stays open for the others until the probe reports.
    mutating func allows(at now: Date) -> Bool {
        guard let until = openUntil else { return true }
        guard now >= until else { return false }
        openUntil = now.addingTimeInterval(backoff)
        return true
    }

    /// Records a fetch's result; returns the transition, if any, for the log.
    mutating func record(success: Bool, at now: Date) -> Transition? {
        if success {
            defer {
                failures = 0
                openUntil = nil
            }
            return openUntil == nil ? nil : .closed
        }
        failures += 1
        guard failures >= threshold else { return nil }
        let wasOpen = openUntil != nil
        openUntil = now.addingTimeInterval(backoff)
        return wasOpen ? nil : .opened
    }

    enum Transition { case opened, closed }
}
