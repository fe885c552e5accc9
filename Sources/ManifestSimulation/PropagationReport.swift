import Foundation
import ManifestHTTP

/// Renders propagation results for people: a table for the terminal and an SVG chart.
public enum PropagationReport {
    public static func table(_ results: [PropagationResult], scenario: PropagationScenario) -> String {
        func seconds(_ value: Double?) -> String {
            guard let value else { return "not reached" }
            return value < 10 ? String(format: "%.1f s", value) : String(format: "%.0f s", value)
        }
        var lines = [
            "clients \(scenario.clients), edges \(scenario.edges)\(scenario.shield ? " behind a shield" : ""), "
                + "a page load every ~\(Int(scenario.pageLoadInterval.seconds)) s per client, edge TTL "
                + "\(Int(scenario.policy.edgeTTL.seconds)) s (+\(Int(scenario.policy.staleWhileRevalidate.seconds)) s SWR), "
                + "browser max-age \(Int(scenario.policy.browserMaxAge.seconds)) s, seed \(scenario.seed)",
            "",
            "mode       p50        p99        100%       page loads  origin requests  stale serves  violations",
        ]
        for result in results {
            let columns = [
                result.mode.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0),
                seconds(result.p50).padding(toLength: 10, withPad: " ", startingAt: 0),
                seconds(result.p99).padding(toLength: 10, withPad: " ", startingAt: 0),
                seconds(result.all).padding(toLength: 10, withPad: " ", startingAt: 0),
                String(result.pageLoads).padding(toLength: 11, withPad: " ", startingAt: 0),
                String(result.originRequests).padding(toLength: 16, withPad: " ", startingAt: 0),
                String(result.staleServes).padding(toLength: 13, withPad: " ", startingAt: 0),
                String(result.violations.count),
            ]
            lines.append(columns.joined(separator: " "))
        }
        lines.append("")
        for result in results {
            lines.append("trace \(result.mode.rawValue): \(result.traceHash.prefix(16))")
            for violation in result.violations.prefix(5) { lines.append("  violation: \(violation)") }
        }
        return lines.joined(separator: "\n")
    }

    /// The fraction of clients on the new version over time, one line per mode.
    public static func svg(_ results: [PropagationResult], title: String) -> String {
        let width = 720.0
        let height = 360.0
        let left = 60.0
        let right = 150.0
        let top = 40.0
        let bottom = 50.0
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let maxSeconds = results.flatMap(\.timeline).map(\.seconds).max() ?? 1
        let colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
        func x(_ seconds: Double) -> Double { left + plotWidth * seconds / max(maxSeconds, 1) }
        func y(_ fraction: Double) -> Double { top + plotHeight * (1 - fraction) }
        var svg = [
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(Int(width))" height="\#(Int(height))" font-family="sans-serif" font-size="12">"#,
            #"<rect width="100%" height="100%" fill="white"/>"#,
            #"<text x="\#(left)" y="24" font-size="14">\#(escape(title))</text>"#,
            #"<line x1="\#(left)" y1="\#(y(0))" x2="\#(left + plotWidth)" y2="\#(y(0))" stroke="black"/>"#,
            #"<line x1="\#(left)" y1="\#(y(0))" x2="\#(left)" y2="\#(y(1))" stroke="black"/>"#,
        ]
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            svg.append(#"<text x="\#(left - 8)" y="\#(y(tick) + 4)" text-anchor="end">\#(Int(tick * 100))%</text>"#)
            svg.append(
                #"<line x1="\#(left)" y1="\#(y(tick))" x2="\#(left + plotWidth)" y2="\#(y(tick))" stroke="lightgray"/>"#
            )
        }
        for step in 0...4 {
            let seconds = maxSeconds * Double(step) / 4
            svg.append(#"<text x="\#(x(seconds))" y="\#(y(0) + 18)" text-anchor="middle">\#(Int(seconds)) s</text>"#)
        }
        svg.append(
            #"<text x="\#(left + plotWidth / 2)" y="\#(height - 10)" text-anchor="middle">seconds after the publish</text>"#
        )
        for (index, result) in results.enumerated() {
            let colour = colours[index % colours.count]
            let points = result.timeline.map { String(format: "%.1f,%.1f", x($0.seconds), y($0.fraction)) }.joined(
                separator: " ")
            svg.append(#"<polyline fill="none" stroke="\#(colour)" stroke-width="2" points="\#(points)"/>"#)
            let legendY = top + 20 * Double(index)
            svg.append(
                #"<line x1="\#(left + plotWidth + 15)" y1="\#(legendY)" x2="\#(left + plotWidth + 40)" y2="\#(legendY)" stroke="\#(colour)" stroke-width="2"/>"#
            )
            svg.append(#"<text x="\#(left + plotWidth + 45)" y="\#(legendY + 4)">\#(result.mode.rawValue)</text>"#)
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    }
}
