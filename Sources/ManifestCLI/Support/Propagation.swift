import ArgumentParser
import Foundation
import ManifestBuilder
import ManifestHTTP
import ManifestSimulation

/// Runs both modes, prints the table and writes the chart: shared by `simulate` and `demo`.
enum Propagation {
    static func run(
        scenario: PropagationScenario, catalog: Catalog, bundles: BundleSet, workspace: Workspace, sourceID: String,
        svgPath: String,
        transport: PropagationSimulator.Transport = .inProcess
    ) async throws {
        let simulator = PropagationSimulator(
            scenario: scenario, catalog: catalog, bundles: bundles, workspace: workspace, sourceID: sourceID,
            logger: quietLogger("manifest.simulation"))
        var results: [PropagationResult] = []
        for mode in PropagationScenario.Mode.allCases {
            let progress = ProgressLine(label: "simulating \(mode.rawValue)")
            results.append(try await simulator.run(mode, transport: transport) { progress.update($0) })
            progress.finish()
        }
        print(PropagationReport.table(results, scenario: scenario))
        let title =
            "Clients on the new destination list after a publish (\(scenario.clients) clients, \(scenario.edges) edges)"
        try PropagationReport.svg(results, title: title).write(toFile: svgPath, atomically: true, encoding: .utf8)
        print("chart: \(svgPath)")
        if results.contains(where: { !$0.violations.isEmpty }) { throw ExitCode(1) }
    }
}
