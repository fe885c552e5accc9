/// A wait that took longer than a test allows.
package struct TimeLimitExceeded: Error, CustomStringConvertible {
    package let limit: Duration
    package var description: String { "gave up waiting after \(limit)" }
}

/// Runs `body`, and throws `TimeLimitExceeded` (cancelling it) if it has not returned within
/// `limit` of wall time: a wait for something that never happens fails the test instead of
/// hanging the suite. Only a bound on waiting; no test measures time with it.
package func withTimeLimit<Result: Sendable>(
    _ limit: Duration = .seconds(30), _ body: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Result?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let result = first else { throw TimeLimitExceeded(limit: limit) }
        return result
    }
}

/// The value of one series in a Prometheus text exposition, such as
/// `edge_requests_total{result="hit"}`; nil when the series is absent.
package func metricValue(_ exposition: String, _ series: String) -> Double? {
    exposition.split(separator: "\n").first { $0.hasPrefix(series + " ") }
        .flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
}
