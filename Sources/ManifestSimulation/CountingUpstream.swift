import HTTPTypes
import ManifestHTTP
import Synchronization

/// Counts what reaches the origin and how many fetches of one key overlap; fails every fetch
/// while `isDown` (an origin outage) and runs `delay` before each (a slow origin).
///
/// A `Mutex`: the counts change together and are read rarely (once per run).
final class CountingUpstream: Upstream {
    private let upstream: any Upstream
    private let isDown: @Sendable () -> Bool
    private let delay: @Sendable () -> Void
    private let counts = Mutex(Counts())

    private struct Counts {
        var inFlight: [String: Int] = [:]
        var requests = 0
        var maxInFlightPerKey = 0
    }

    init(
        isDown: @escaping @Sendable () -> Bool = { false }, delay: @escaping @Sendable () -> Void = {},
        _ upstream: any Upstream
    ) {
        self.isDown = isDown
        self.delay = delay
        self.upstream = upstream
    }

    /// Fetches that reached the origin.
    var requests: Int { counts.withLock { $0.requests } }
    /// The most fetches of one path that were in flight at once.
    var maxInFlightPerKey: Int { counts.withLock { $0.maxInFlightPerKey } }

    func fetch(_ path: String, headerFields: HTTPFields) async throws(UpstreamError) -> UpstreamResponse {
        if isDown() { throw .unreachable("origin outage") }
        counts.withLock { counts in
            counts.requests += 1
            counts.inFlight[path, default: 0] += 1
            counts.maxInFlightPerKey = max(counts.maxInFlightPerKey, counts.inFlight[path]!)
        }
        defer { counts.withLock { $0.inFlight[path]! -= 1 } }
        delay()
        return try await upstream.fetch(path, headerFields: headerFields)
    }
}
