import ArgumentParser
import Foundation
import ManifestBuilder
import ManifestEdge
import ManifestHTTP
import ManifestSimulation

/// The main job on the embedded defaults: validate the fixture workspace; build, sign and
/// publish its manifests; serve them from an origin and two edges on loopback to simulated
/// clients; publish a change and purge it through; then measure propagation with the stream
/// and with the TTL only.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the local demo on the fixture workspace."
    )

    @Option(help: "The workspace file (JSON).")
    var workspace: String = "fixtures/workspaces/acme.json"

    @OptionGroup var catalog: CatalogOption
    @OptionGroup var sdk: SDKOption

    @Option(help: "Simulated clients in the propagation run.")
    var clients = 100

    @Option(help: "Where to write the propagation chart.")
    var svg = "propagation.svg"

    static let cdnBase = "http://cdn.demo"

    func validate() throws {
        try OptionChecks.require(clients, in: 1...100_000, "--clients")
    }

    func run() async throws {
        let (loadedCatalog, loaded) = try catalog.load(workspace: workspace)
        let bundles = try sdk.load(for: loadedCatalog)
        section("1. Validate")
        guard validate(loaded, catalog: loadedCatalog), let web = loaded.sources.first(where: { $0.kind == .web })
        else {
            throw ExitCode(1)
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "manifest-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = SigningKey()
        let store = try SQLiteOriginStore(path: directory.appendingPathComponent("origin.sqlite").path)
        let compiler = ManifestCompiler(catalog: loadedCatalog, bundles: bundles, cdnBase: Self.cdnBase)
        let publisher = Publisher(compiler: compiler, key: key, store: store)
        section("2. Build, sign and publish into \(directory.path)/origin.sqlite (key \(key.publicKey.keyID))")
        print(ReportText.render(try await publisher.publish(loaded, now: Date())))

        section("3. Serve: an origin and two edges on loopback; a simulated browser per edge loads '\(web.name)'")
        let logger = quietLogger("manifest.demo")
        let deployment = try await LoopbackDeployment.start(
            store: store, publicKey: key.publicKey, edges: 2, logger: logger)
        let servers = LocalServers(logger: logger)
        do {
            let control = try await DemoControlPlane.start(
                directory: directory, workspace: loaded, catalog: loadedCatalog, compiler: compiler, key: key,
                servers: servers, logger: logger)
            // The instance the propagation run adds too: a device-mode destination the page lacks.
            let changed = PropagationSimulator.change(loaded, sourceID: web.id, catalog: loadedCatalog)
            guard let added = changed.source(id: web.id)?.instances.last else { throw ExitCode(1) }
            try await serveAndChange(
                deployment, store: store, web: web, key: key.publicKey, control: control, adding: added)
            await servers.stopAll()
            await deployment.stop()
        } catch {
            await servers.stopAll()
            await deployment.stop()
            throw error
        }

        section("5. Propagation: \(clients) clients, 4 edges, 30-minute edge TTL, 60 s browser max-age (virtual time)")
        var scenario = PropagationScenario()
        scenario.clients = clients
        try await Propagation.run(
            scenario: scenario, catalog: loadedCatalog, bundles: bundles, workspace: loaded, sourceID: web.id,
            svgPath: svg)
    }

    /// Prints the workspace and its report; true when it is valid.
    private func validate(_ workspace: Workspace, catalog: Catalog) -> Bool {
        let report = ConnectionRules(catalog: catalog).validate(workspace)
        print(ReportText.summary(of: workspace))
        print("")
        print(ReportText.render(report, for: self.workspace))
        return report.isValid
    }

    /// Steps 3 and 4: a page load through each edge; a destination added through the Config API
    /// (which publishes it), how long each edge took to apply it, and a reload through each edge.
    private func serveAndChange(
        _ deployment: LoopbackDeployment, store: any OriginStore, web: Source, key: PublicSigningKey,
        control: DemoControlPlane, adding instance: DestinationInstance
    ) async throws {
        print(
            "origin http://127.0.0.1:\(deployment.originPort), edges "
                + deployment.edgePorts.map { "http://127.0.0.1:\($0)" }.joined(separator: ", "))
        // Without a browser cache, so that each reload shows what the edge serves.
        let browsers = deployment.edgePorts.map { port in
            AnalyticsClient(
                writeKey: web.writeKey, fetcher: CurlUpstream(baseURL: "http://127.0.0.1:\(port)"),
                verifier: ManifestVerifier(keys: [key]), clock: SystemClock(), cdnBase: Self.cdnBase,
                useBrowserCache: false)
        }
        for (index, browser) in browsers.enumerated() { describe("edge-\(index)", await browser.loadPage()) }

        section(
            "4. An operator adds \(instance.destination) to '\(web.name)' through the Config API (\(control.baseURL))")
        let published = ContinuousClock.now
        let (status, answer) = try await control.add(instance, to: web.id)
        let version = if case .int(let number)? = answer?["manifest"]?["version"] { "v\(number)" } else { "?" }
        print("  POST .../sources/\(web.id)/destinations -> \(status), published \(version)")
        guard status == 201 else {
            throw UnusableInput("the Config API refused the destination: \(answer.map { "\($0)" } ?? "")")
        }
        let sequence = try await store.lastSequence()
        for (index, subscriber) in deployment.subscribers.enumerated() {
            await subscriber.waitUntilApplied(sequence)
            let elapsed = (ContinuousClock.now - published).formatted(
                .units(allowed: [.milliseconds], width: .abbreviated))
            print("  edge-\(index) applied publish #\(sequence) \(elapsed) after the API call")
        }
        for (index, browser) in browsers.enumerated() { describe("edge-\(index) reload", await browser.loadPage()) }
        print(
            "  (the same change by clicking: `manifest serve control --origin URL` serves the operator console "
                + "at /console, signed in with a workspace token; see the README)")
    }

    private func describe(_ label: String, _ load: PageLoad) {
        switch load.outcome {
        case .loaded:
            print(
                "  \(label): v\(load.version ?? 0), \(load.destinations.count) device-mode destinations: "
                    + load.destinations.joined(separator: ", "))
        case .fetchFailed(let reason): print("  \(label): the settings fetch failed: \(reason)")
        case .refused(let reason): print("  \(label): refused: \(reason)")
        }
    }

    private func section(_ title: String) {
        print("\n== \(title)\n")
    }
}
