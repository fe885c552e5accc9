import ManifestHTTP
import Prometheus

/// The edge server's connection metrics, on the cache's Prometheus registry so that `/metrics`
/// shows them beside the cache's: `edge_connections_open` and `edge_connections_refused_total`
/// (connections over `ConnectionPolicy.maxConnections`, answered 503 and closed).
struct EdgeConnectionMetrics: Sendable {
    private let open: Gauge
    private let refused: Counter

    init(registry: PrometheusCollectorRegistry) {
        open = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "edge", metricName: "connections", unitName: "open", helpText: "Client connections open now."
            ))
        refused = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "edge", subsystem: "connections", metricName: "refused", unitName: "total",
                helpText: "Client connections refused (503, then closed) because the connection cap was reached."))
    }

    /// A limiter that reports into these metrics.
    func limiter(maxConnections: Int) -> ConnectionLimiter {
        let open = self.open
        let refused = self.refused
        return ConnectionLimiter(maxConnections: maxConnections) { count, wasRefused in
            open.set(Double(count))
            if wasRefused { refused.increment() }
        }
    }
}
