import Prometheus

extension MetricNameDescriptor {
    /// A metric by its full Prometheus name (`edge_requests_total`), with its help text.
    static func named(_ name: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
