import Foundation
import Hummingbird
import Logging
import ManifestBuilder
import ManifestEdge
import ManifestHTTP
import ManifestOrigin

/// Runs a `PropagationScenario` in one process on a virtual clock with a seeded random
/// generator: the real origin routes (in process), real `EdgeCache`s and real
/// `AnalyticsClient`s, stepped one event at a time, so the same seed gives the same trace.
///
/// Invariants checked on every page load: no client accepts a lower, expired or tampered
/// manifest (any refusal is a violation); no client sees the old version later than the
/// scenario's bound after the publish; and at most one origin fetch is in flight per key.
public struct PropagationSimulator: Sendable {
    public let scenario: PropagationScenario
    public let catalog: Catalog
    public let bundles: BundleSet
    public let workspace: Workspace
    /// The web source whose page the clients load.
    public let sourceID: String
    /// Where the in-process servers log (quiet by default in the CLI: they fail on purpose
    /// during outages).
    public let logger: Logger

    static let cdnBase = "http://cdn.simulation"
    /// Generous: a loopback run on a busy machine must not turn a slow answer into a fault
    /// the in-process run does not have (the virtual clock does not move meanwhile).
    static let loopbackTimeout: Duration = .seconds(60)

    public init(
        scenario: PropagationScenario, catalog: Catalog, bundles: BundleSet, workspace: Workspace, sourceID: String,
        logger: Logger
    ) {
        self.scenario = scenario
        self.logger = logger
        self.catalog = catalog
        self.bundles = bundles
        self.workspace = workspace
        self.sourceID = sourceID
    }

    /// The publish the run measures: a Pendo device-mode instance added to the source.
    public static func change(_ workspace: Workspace, sourceID: String, catalog: Catalog) -> Workspace {
        var changed = workspace
        guard let index = changed.sources.firstIndex(where: { $0.id == sourceID }) else { return changed }
        let present = Set(changed.sources[index].instances.map(\.destination))
        guard
            let destination = catalog.destinations.first(where: { candidate in
                candidate.modes == [.device] && candidate.family == .classic && !present.contains(candidate.name)
            })
        else { return changed }
        var settings: [String: JSONValue] = [:]
        for field in destination.settings where field.required {
            settings[field.name] = field.type == .string ? .string("simulated-\(field.name)") : .int(1)
        }
        changed.sources[index].instances.append(
            DestinationInstance(
                id: "simulated-\(destination.id)", name: "\(destination.name) (new)", destination: destination.name,
                mode: .device, settings: settings))
        return changed
    }

    /// How the parts talk: calls in one process, or HTTP over loopback (real origin and edge
    /// servers, libcurl in between) on the same virtual clock.
    public enum Transport: String, Sendable {
        case inProcess = "in-process"
        case loopback
    }

    /// Runs the scenario once in `mode`; `progress` receives the fraction of virtual time done.
    public func run(
        _ mode: PropagationScenario.Mode, transport: Transport = .inProcess,
        progress: (@Sendable (Double) -> Void)? = nil
    ) async throws -> PropagationResult {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "propagation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        guard let source = workspace.source(id: sourceID) else { throw SimulationError.unknownSource(sourceID) }
        let servers = LocalServers(logger: logger)
        do {
            let parts = try await assemble(source, transport: transport, directory: directory, servers: servers)
            let change = Self.change(workspace, sourceID: sourceID, catalog: catalog)
            var run = SimulationRun(scenario: scenario, mode: mode, parts: parts, change: change, progress: progress)
            let result = try await run.run()
            await servers.stopAll()
            return result
        } catch {
            await servers.stopAll()
            throw error
        }
    }

    /// Publishes the workspace into a fresh store and wires the origin, the shield, the edges
    /// and the clients together over `transport`.
    private func assemble(
        _ source: Source, transport: Transport, directory: URL, servers: LocalServers
    ) async throws -> SimulatedParts {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let clock = ManualClock(start)
        let store = try SQLiteOriginStore(path: directory.appendingPathComponent("origin.sqlite").path)
        let key = SigningKey(privateKey: .init())
        let publisher = Publisher(
            compiler: ManifestCompiler(catalog: catalog, bundles: bundles, cdnBase: Self.cdnBase), key: key,
            store: store)
        _ = try await publisher.publish(workspace, now: start)

        let originRouter = OriginController(store: store, publicKey: key.publicKey, policy: scenario.policy)
            .makeRouter()
        let publishAt = start.addingTimeInterval(scenario.warmUp.seconds)
        let outage = scenario.originOutage.map { window in
            publishAt.addingTimeInterval(
                window.start.seconds)..<publishAt.addingTimeInterval((window.start + window.length).seconds)
        }
        let latency = scenario.originLatency
        let origin = CountingUpstream(
            isDown: { outage?.contains(clock.now()) ?? false }, delay: { clock.advance(by: latency) },
            transport == .inProcess
                ? InProcessUpstream(originRouter.buildResponder(), logger: logger)
                : CurlUpstream(
                    baseURL: "http://127.0.0.1:\(try await servers.start(originRouter))", timeout: Self.loopbackTimeout)
        )
        let shield =
            scenario.shield
            ? EdgeCache(upstream: origin, configuration: .init(name: "shield"), clock: clock, logger: logger) : nil
        let edgeUpstream: any Upstream = if let shield { try await reach(transport, servers, shield) } else { origin }
        let edges = (0..<max(1, scenario.edges)).map { index in
            EdgeCache(upstream: edgeUpstream, configuration: .init(name: "edge-\(index)"), clock: clock, logger: logger)
        }
        var entrances: [any Upstream] = []
        for edge in edges { entrances.append(try await reach(transport, servers, edge)) }
        let verifier = ManifestVerifier(keys: [key.publicKey])
        let clients = (0..<max(1, scenario.clients)).map { index in
            AnalyticsClient(
                writeKey: source.writeKey, fetcher: entrances[index % edges.count], verifier: verifier,
                clock: clock, cdnBase: Self.cdnBase)
        }
        return SimulatedParts(
            clock: clock, start: start, publisher: publisher, writeKey: source.writeKey, origin: origin, shield: shield,
            edges: edges, clients: clients)
    }

    /// How the next hop down reaches `cache`: directly, or over loopback through a real edge server.
    private func reach(_ transport: Transport, _ servers: LocalServers, _ cache: EdgeCache) async throws -> any Upstream
    {
        switch transport {
        case .inProcess: return cache
        case .loopback:
            let port = try await servers.start(EdgeResponder(cache: cache, purgeToken: nil))
            return CurlUpstream(baseURL: "http://127.0.0.1:\(port)", timeout: Self.loopbackTimeout)
        }
    }
}
