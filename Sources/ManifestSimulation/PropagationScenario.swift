import Foundation
import ManifestBuilder
import ManifestHTTP
import ManifestOrigin

/// What the propagation simulation runs: an origin, edges (optionally behind one shield edge),
/// clients that reload a web source's page, and one publish that adds a device-mode destination.
public struct PropagationScenario: Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        /// Edges learn of the publish from the invalidation stream and soft-purge at once.
        case stream
        /// Nothing tells the edges: the TTL is the only bound.
        case ttlOnly = "ttl-only"
    }

    public var clients = 200
    public var edges = 4
    /// Edges fetch from one shield edge, which fetches from the origin.
    public var shield = false
    /// The mean time between one client's page loads (each gap is drawn between half and one
    /// and a half of it).
    public var pageLoadInterval: Duration = .seconds(60)
    /// How long the run goes on before the publish (caches and browsers fill).
    public var warmUp: Duration = .seconds(300)
    /// How long the run goes on after the publish.
    public var duration: Duration = .seconds(2400)
    public var policy = OriginCachePolicy()
    /// How long after the publish an edge applies the stream's invalidation.
    public var streamDelay: Duration = .milliseconds(100)
    /// The chance that one edge never gets the invalidation (a lost message): then its TTL bounds it.
    public var streamLoss = 0.0
    /// The stream is disconnected from the publish for this long; edges resume from their last
    /// sequence when it comes back, so the invalidation arrives late but arrives.
    public var streamOutage: Duration = .zero
    /// The origin is down for `length` from `start` after the publish: edges answer from their
    /// stale copies (stale-if-error) meanwhile, so the delay grows by the outage.
    public var originOutage: Window?

    /// Each origin fetch takes this long on the virtual clock (a slow origin). The simulator is
    /// sequential: page loads due meanwhile wait behind the fetch.
    public var originLatency: Duration = .zero

    /// A span of time, from the publish.
    public struct Window: Sendable {
        public var start: Duration
        public var length: Duration

        public init(start: Duration, length: Duration) {
            self.start = start
            self.length = length
        }
    }
    public var seed: UInt64 = 1

    public init() {}

    /// The longest a client can keep seeing the old manifest after the publish, when this edge
    /// got the invalidation (`stream`) or not.
    public func bound(_ mode: Mode, streamDelivered: Bool) -> TimeInterval {
        let browser = policy.browserMaxAge.seconds
        var bound: TimeInterval
        switch (mode, streamDelivered) {
        case (.stream, true):
            // The shield purges first; then each edge revalidates; browsers keep their copy.
            bound = (streamDelay.seconds + streamOutage.seconds) * (shield ? 2 : 1) + browser
        default:
            let edge = policy.edgeTTL.seconds + policy.staleWhileRevalidate.seconds
            bound = edge * (shield ? 2 : 1) + browser
        }
        if let outage = originOutage, outage.start.seconds < bound { bound += outage.length.seconds }
        // A revalidation through a shield waits for two slow fetches at most.
        return bound + originLatency.seconds * (shield ? 2 : 1)
    }
}

/// What one run measured.
public struct PropagationResult: Sendable {
    public var mode: PropagationScenario.Mode
    /// Seconds after the publish until this fraction of clients loaded the new destination list;
    /// nil when that many never did within the run.
    public var p50: Double?
    public var p99: Double?
    public var all: Double?
    /// The fraction of clients on the new version, sampled every 10 seconds after the publish.
    public var timeline: [(seconds: Double, fraction: Double)]
    public var pageLoads: Int
    public var originRequests: Int
    public var staleServes: Int
    /// Invariant violations (empty when every check held).
    public var violations: [String]
    /// SHA-256 of the trace (every page load's time, client, version and destinations): the
    /// same seed gives the same hash.
    public var traceHash: String
}
