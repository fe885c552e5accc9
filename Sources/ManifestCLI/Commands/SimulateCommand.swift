import ArgumentParser
import Foundation
import ManifestBuilder
import ManifestHTTP
import ManifestSimulation

struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract:
            "Measure how long a publish takes to reach browsers, with the invalidation stream and with the TTL only.",
        discussion: """
            Runs the origin, the edges and the clients in one process on a virtual clock: the same \
            seed gives the same trace (its hash is printed). Writes an SVG chart of the fraction of \
            clients on the new version over time.
            """
    )

    @Option(help: "The workspace file (JSON).")
    var workspace: String = "fixtures/workspaces/acme.json"

    @OptionGroup var catalog: CatalogOption
    @OptionGroup var sdk: SDKOption

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

    func validate() throws {
        let day = 86_400
        try OptionChecks.require(clients, in: 1...1_000_000, "--clients")
        try OptionChecks.require(edges, in: 1...1_000, "--edges")
        try OptionChecks.require(interval, in: 1...day, "--interval")
        try OptionChecks.require(warmUp, in: 0...(30 * day), "--warm-up")
        try OptionChecks.require(duration, in: 1...(30 * day), "--duration")
        try OptionChecks.require(edgeTtl, in: 0...(365 * day), "--edge-ttl")
        try OptionChecks.require(browserMaxAge, in: 0...(365 * day), "--browser-max-age")
        try OptionChecks.require(streamDelayMs, in: 0...(day * 1000), "--stream-delay-ms")
        try OptionChecks.require(streamLoss, in: 0...1, "--stream-loss")
        try OptionChecks.require(streamOutage, in: 0...(30 * day), "--stream-outage")
        try OptionChecks.require(originOutage, in: 0...(30 * day), "--origin-outage")
        try OptionChecks.require(originLatency, in: 0...3_600, "--origin-latency")
    }

    func run() async throws {
        let (loadedCatalog, loadedWorkspace) = try catalog.load(workspace: workspace)
        guard let sourceID = source ?? loadedWorkspace.sources.first(where: { $0.kind == .web })?.id else {
            throw UnusableInput("\(workspace) has no web source to simulate")
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
            scenario: scenario, catalog: loadedCatalog, bundles: try sdk.load(for: loadedCatalog),
            workspace: loadedWorkspace, sourceID: sourceID,
            svgPath: svg, transport: loopback ? .loopback : .inProcess)
    }
}
