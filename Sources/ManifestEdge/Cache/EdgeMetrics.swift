import Prometheus
import Synchronization

/// The edge's metrics in Prometheus form, each edge with its own registry (so that tests and
/// the simulator can run many edges in one process).
public final class EdgeMetrics: Sendable {
    /// How a request was answered.
    public enum Result: String, CaseIterable, Sendable {
        case hit, miss, revalidated, pass, error
        case staleWhileRevalidate = "stale_while_revalidate"
        case staleIfError = "stale_if_error"
    }

    public let registry: PrometheusCollectorRegistry
    private let requests: [Result: Counter]
    let coalescedWaiters: Counter
    private let upstreamRequests: Counter
    private let upstreamFailures: Counter
    private let upstreamDuration: DurationHistogram
    private let evictions: Counter
    private let softPurges: Counter
    private let hardPurges: Counter
    private let bytes: Gauge
    private let entries: Gauge
    private let invalidations: Counter
    private let streamFailures: Counter
    private let streamSequence: Gauge
    private let staleServed = Atomic<Int>(0)
    private let shortCircuits: Counter
    private let identitiesKept: Counter

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        requests = Dictionary(
            uniqueKeysWithValues: Result.allCases.map { result in
                (
                    result,
                    registry.makeCounter(
                        descriptor: .named(
                            "edge_requests_total", help: "Requests answered, by how the cache answered them."),
                        labels: [("result", result.rawValue)])
                )
            })
        coalescedWaiters = registry.makeCounter(
            descriptor: .named(
                "edge_coalesced_requests_total",
                help: "Requests that waited for an upstream fetch another request started."))
        upstreamRequests = registry.makeCounter(
            descriptor: .named("edge_upstream_requests_total", help: "Requests sent upstream."))
        upstreamFailures = registry.makeCounter(
            descriptor: .named("edge_upstream_failures_total", help: "Upstream requests that got a 5xx or no answer."))
        upstreamDuration = registry.makeDurationHistogram(
            descriptor: .named("edge_upstream_duration_seconds", help: "Upstream request latency."),
            buckets: [
                .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
            ])
        evictions = registry.makeCounter(
            descriptor: .named("edge_evictions_total", help: "Responses evicted to stay within the byte budget."))
        softPurges = registry.makeCounter(
            descriptor: .named("edge_purged_total", help: "Responses purged."), labels: [("kind", "soft")])
        hardPurges = registry.makeCounter(
            descriptor: .named("edge_purged_total", help: "Responses purged."), labels: [("kind", "hard")])
        bytes = registry.makeGauge(descriptor: .named("edge_cache_bytes", help: "Bytes of responses held."))
        entries = registry.makeGauge(descriptor: .named("edge_cache_entries", help: "Responses held."))
        invalidations = registry.makeCounter(
            descriptor: .named("edge_invalidations_total", help: "Publish events applied from the invalidation stream.")
        )
        streamFailures = registry.makeCounter(
            descriptor: .named(
                "edge_stream_failures_total", help: "Invalidation stream requests that failed (then retried)."))
        shortCircuits = registry.makeCounter(
            descriptor: .named(
                "edge_upstream_skipped_total",
                help: "Upstream requests not sent because the upstream was failing (the edge backed off)."))
        identitiesKept = registry.makeCounter(
            descriptor: .named(
                "edge_identity_decoded_total",
                help:
                    "Stored responses whose identity bytes a request had decoded from gzip, and which keep them since.")
        )
        streamSequence = registry.makeGauge(
            descriptor: .named(
                "edge_stream_sequence", help: "The last publish sequence applied from the invalidation stream."))
    }

    func invalidated(sequence: Int64) {
        invalidations.increment()
        streamSequence.set(Double(sequence))
    }

    func shortCircuited() {
        shortCircuits.increment()
    }

    func identityKept() {
        identitiesKept.increment()
    }

    func streamFailed() {
        streamFailures.increment()
    }

    /// The Prometheus text exposition.
    public func exposition() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    func record(_ result: Result) {
        requests[result]?.increment()
        if result == .staleWhileRevalidate || result == .staleIfError { staleServed.add(1, ordering: .relaxed) }
    }

    /// Requests answered with a stale copy (while revalidating, or because the upstream failed).
    public var staleServes: Int { staleServed.load(ordering: .relaxed) }

    func upstreamFinished(after duration: Duration, failed: Bool) {
        upstreamRequests.increment()
        if failed { upstreamFailures.increment() }
        upstreamDuration.record(duration)
    }

    func evicted(_ count: Int) {
        if count > 0 { evictions.increment(by: Int64(count)) }
    }

    func purged(_ count: Int, soft: Bool) {
        (soft ? softPurges : hardPurges).increment(by: Int64(count))
    }

    func updateHoldings(bytes: Int, entries: Int) {
        self.bytes.set(Double(bytes))
        self.entries.set(Double(entries))
    }
}
