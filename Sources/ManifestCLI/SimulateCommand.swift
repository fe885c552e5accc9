import ArgumentParser
import Foundation
import ManifestBuilder
import ManifestEdge

struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Measure how long a publish takes to reach browsers, with the invalidation stream and with the TTL only.",
        discussion: """
            Runs the origin, the edges and the clients in one process on a virtual clock: the same \
            seed gives the same trace (its hash is printed). Writes an SVG chart of the fraction of \
            clients on the new version over time.
            """
    )

    @Option(help: "The workspace file (JSON).")
    var workspace: String = "fixtures/workspaces/acme.json"

    @OptionGroup var catalog: CatalogOption

    @Option(help: "The directory of SDK stubs.")
    var sdkDir: String = "fixtures/sdk"

    @Option(help: "The web source whose page the clients load (default: the first web source).")
    var source: String?

    @Option(help: "Simulated browsers.") var clients = 200
    @Option(help: "Edges.") var edges = 4
    @Flag(help: "Put one shield edge between the edges and the origin.") var shield = false
    @Option(help: "Mean seconds between one client's page loads.") var interval = 60
    @Option(help: "Seconds of load before the publish.") var warmUp = 300
    @Option(help: "Seconds simulated after the publish.") var duration = 2400
    @Option(help: "Edge TTL in seconds (CDN-Cache-Control max-age).") var edgeTtl = 1800
    @Option(help: "Browser max-age in seconds (Cache-Control).") var browserMaxAge = 60
    @Option(help: "Milliseconds from a publish to the edges' purge through the stream.") var streamDelayMs = 100
    @Option(help: "Chance (0...1) that an edge misses the stream's invalidation.") var streamLoss = 0.0
    @Option(help: "Seconds the stream is disconnected from the publish on (edges resume, late).") var streamOutage = 0
    @Option(help: "An origin outage from the publish on, in seconds (0: none).") var originOutage = 0
    @Option(help: "Seconds each origin fetch takes on the virtual clock (a slow origin).") var originLatency = 0.0
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Where to write the SVG chart.") var svg = "propagation.svg"
    @Flag(help: "Run the origin and edges as real HTTP servers on loopback (same virtual clock).") var loopback = false

    func run() async throws {
        let (loadedCatalog, loadedWorkspace) = try catalog.load(workspace: workspace)
        guard let sourceID = source ?? loadedWorkspace.sources.first(where: { $0.kind == .web })?.id else {
            throw fail("the workspace has no web source to simulate")
        }
        var scenario = PropagationScenario()
        scenario.clients = clients
        scenario.edges = edges
        scenario.shield = shield
        scenario.pageLoadInterval = .seconds(interval)
        scenario.warmUp = .seconds(warmUp)
        scenario.duration = .seconds(duration)
        scenario.policy.edgeTTL = .seconds(edgeTtl)
        scenario.policy.browserMaxAge = .seconds(browserMaxAge)
        scenario.streamDelay = .milliseconds(streamDelayMs)
        scenario.streamLoss = streamLoss
        scenario.streamOutage = .seconds(streamOutage)
        if originOutage > 0 { scenario.originOutage = .init(start: .zero, length: .seconds(originOutage)) }
        scenario.originLatency = .seconds(originLatency)
        scenario.seed = seed
        try await Propagation.run(
            scenario: scenario, catalog: loadedCatalog, sdkDir: sdkDir, workspace: loadedWorkspace, sourceID: sourceID,
            svgPath: svg, transport: loopback ? .loopback : .inProcess)
    }
}

/// Runs both modes, prints the table and writes the chart: shared by `simulate` and `demo`.
enum Propagation {
    static func run(
        scenario: PropagationScenario, catalog: Catalog, sdkDir: String, workspace: Workspace, sourceID: String, svgPath: String,
        transport: PropagationSimulator.Transport = .inProcess
    ) async throws {
        let bundles: BundleSet
        do {
            bundles = try BundleSet.load(catalog: catalog, from: URL(fileURLWithPath: sdkDir, isDirectory: true))
        } catch {
            throw fail(error.description)
        }
        let simulator = PropagationSimulator(
            scenario: scenario, catalog: catalog, bundles: bundles, workspace: workspace, sourceID: sourceID)
        var results: [PropagationResult] = []
        for mode in PropagationScenario.Mode.allCases {
            let progress = ProgressLine(label: "simulating \(mode.rawValue)")
            results.append(try await simulator.run(mode, transport: transport) { progress.update($0) })
            progress.finish()
        }
        print(PropagationReport.table(results, scenario: scenario))
        let title = "Clients on the new destination list after a publish (\(scenario.clients) clients, \(scenario.edges) edges)"
        try PropagationReport.svg(results, title: title).write(toFile: svgPath, atomically: true, encoding: .utf8)
        print("chart: \(svgPath)")
        if results.contains(where: { !$0.violations.isEmpty }) { throw ExitCode(1) }
    }
}

/// A percentage on standard error, redrawn in place, for runs that take a while.
final class ProgressLine: @unchecked Sendable {
    private let label: String
    private var shown = -1

    init(label: String) {
        self.label = label
    }

    func update(_ fraction: Double) {
        let percent = Int(fraction * 100)
        guard percent / 10 != shown / 10 else { return }
        shown = percent
        FileHandle.standardError.write(Data("\r\(label): \(percent)%".utf8))
    }

    func finish() {
        FileHandle.standardError.write(Data("\r\(label): done \n".utf8))
    }
}
