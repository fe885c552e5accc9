import Crypto
import Foundation
import Hummingbird
import Logging
import ManifestBuilder

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

    static let cdnBase = "http://cdn.simulation"
    /// Generous: a loopback run on a busy machine must not turn a slow answer into a fault
    /// the in-process run does not have (the virtual clock does not move meanwhile).
    static let loopbackTimeout: Duration = .seconds(60)

    public init(scenario: PropagationScenario, catalog: Catalog, bundles: BundleSet, workspace: Workspace, sourceID: String) {
        self.scenario = scenario
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
        guard let destination = catalog.destinations.first(where: { candidate in
            candidate.modes == [.device] && candidate.family == .classic && !present.contains(candidate.name)
        }) else { return changed }
        var settings: [String: JSONValue] = [:]
        for field in destination.settings where field.required {
            settings[field.name] = field.type == .string ? .string("simulated-\(field.name)") : .int(1)
        }
        changed.sources[index].instances.append(DestinationInstance(
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

    public func run(
        _ mode: PropagationScenario.Mode, transport: Transport = .inProcess, progress: (@Sendable (Double) -> Void)? = nil
    ) async throws -> PropagationResult {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("propagation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        guard let source = workspace.source(id: sourceID) else { throw SimulationError.unknownSource(sourceID) }

        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let clock = ManualClock(start)
        let store = try SQLiteOriginStore(path: directory.appendingPathComponent("origin.sqlite").path)
        var quiet = Logger(label: "manifest.simulation")
        quiet.logLevel = .warning
        let key = SigningKey(privateKey: .init())
        let publisher = Publisher(
            compiler: ManifestCompiler(catalog: catalog, bundles: bundles, cdnBase: Self.cdnBase), key: key, store: store)
        _ = try await publisher.publish(workspace, now: start)

        let servers = LocalServers(logger: quiet)
        /// How the next hop down reaches `cache`: directly, or over loopback.
        func reach(_ cache: EdgeCache) async throws -> any Upstream {
            switch transport {
            case .inProcess: return cache
            case .loopback:
                let port = try await servers.start(EdgeServer(cache: cache, purgeToken: nil))
                return CurlUpstream(baseURL: "http://127.0.0.1:\(port)", timeout: Self.loopbackTimeout)
            }
        }
        let originRouter = OriginServer(store: store, publicKey: key.publicKey, policy: scenario.policy).makeRouter()
        let publishAt = start.addingTimeInterval(scenario.warmUp.seconds)
        let outage = scenario.originOutage.map { window in
            publishAt.addingTimeInterval(window.start.seconds)..<publishAt.addingTimeInterval((window.start + window.length).seconds)
        }
        let latency = scenario.originLatency
        let origin = CountingUpstream(
            isDown: { outage?.contains(clock.now()) ?? false }, delay: { clock.advance(by: latency) }, transport == .inProcess
            ? InProcessUpstream(originRouter.buildResponder())
            : CurlUpstream(baseURL: "http://127.0.0.1:\(try await servers.start(originRouter))", timeout: Self.loopbackTimeout))
        let shield = scenario.shield
            ? EdgeCache(upstream: origin, configuration: .init(name: "shield"), clock: clock, logger: quiet) : nil
        let edgeUpstream: any Upstream = if let shield { try await reach(shield) } else { origin }
        let edges = (0..<max(1, scenario.edges)).map { index in
            EdgeCache(upstream: edgeUpstream, configuration: .init(name: "edge-\(index)"), clock: clock, logger: quiet)
        }
        var edgeEntrances: [any Upstream] = []
        for edge in edges { edgeEntrances.append(try await reach(edge)) }
        let verifier = ManifestVerifier(keys: [key.publicKey])
        let clients = (0..<max(1, scenario.clients)).map { index in
            AnalyticsClient(writeKey: source.writeKey, fetcher: edgeEntrances[index % edges.count], verifier: verifier,
                            clock: clock, cdnBase: Self.cdnBase)
        }
        do {
            let result = try await simulate(
                mode, clock: clock, start: start, publisher: publisher, source: source, origin: origin, shield: shield,
                edges: edges, clients: clients, progress: progress)
            await servers.stopAll()
            return result
        } catch {
            await servers.stopAll()
            throw error
        }
    }

    private func simulate(
        _ mode: PropagationScenario.Mode, clock: ManualClock, start: Date, publisher: Publisher, source: Source,
        origin: CountingUpstream, shield: EdgeCache?, edges: [EdgeCache], clients: [AnalyticsClient],
        progress: (@Sendable (Double) -> Void)?
    ) async throws -> PropagationResult {

        var rng = SplitMix64(seed: scenario.seed)
        let interval = scenario.pageLoadInterval.seconds
        var nextLoad = clients.indices.map { _ in start.addingTimeInterval(Double.random(in: 0..<interval, using: &rng)) }
        let publishAt = start.addingTimeInterval(scenario.warmUp.seconds)
        let end = publishAt.addingTimeInterval(scenario.duration.seconds)
        let delivered = edges.indices.map { _ in Double.random(in: 0..<1, using: &rng) >= scenario.streamLoss }
        let shieldDelivered = Double.random(in: 0..<1, using: &rng) >= scenario.streamLoss
        var published = false
        var purged = mode == .ttlOnly
        var firstNew = [Double?](repeating: nil, count: clients.count)
        var violations: [String] = []
        var trace = SHA256()
        var loads = 0

        while true {
            let (client, time) = nextLoad.enumerated().min { ($0.element, $0.offset) < ($1.element, $1.offset) }
                .map { ($0.offset, $0.element) }!
            if !published && time >= publishAt {
                clock.set(publishAt)
                _ = try await publisher.publish(Self.change(workspace, sourceID: sourceID, catalog: catalog), now: publishAt)
                published = true
                continue
            }
            let purgeAt = publishAt.addingTimeInterval(scenario.streamDelay.seconds + scenario.streamOutage.seconds)
            if published && !purged && time >= purgeAt {
                clock.set(purgeAt)
                let keyToPurge = PurgeTarget.surrogateKey("writekey:\(source.writeKey)")
                if let shield, shieldDelivered { shield.purge(keyToPurge, soft: true) }
                for (edge, got) in zip(edges, delivered) where got { edge.purge(keyToPurge, soft: true) }
                purged = true
                continue
            }
            guard time < end else { break }
            clock.set(time)
            let load = await clients[client].loadPage()
            for edge in edges { await edge.settle() }
            await shield?.settle()
            loads += 1
            trace.update(data: Data("\(time.timeIntervalSince(start)) \(client) \(load.version ?? 0) \(load.destinations.joined(separator: ","))\n".utf8))

            if case .refused(let reason) = load.outcome { violations.append("client \(client) refused a manifest: \(reason)") }
            if case .fetchFailed(let reason) = load.outcome { violations.append("client \(client) could not load: \(reason)") }
            if published, let version = load.version {
                let since = time.timeIntervalSince(publishAt)
                if version >= 2 {
                    if firstNew[client] == nil { firstNew[client] = since }
                } else {
                    let edgeGotStream = delivered[client % edges.count] && (shield == nil || shieldDelivered)
                    let bound = scenario.bound(mode, streamDelivered: edgeGotStream)
                    if since > bound {
                        violations.append("client \(client) saw version \(version) \(Int(since)) s after the publish (bound \(Int(bound)) s)")
                    }
                }
            }
            nextLoad[client] = time.addingTimeInterval(interval * Double.random(in: 0.5..<1.5, using: &rng))
            progress?(min(1, time.timeIntervalSince(start) / end.timeIntervalSince(start)))
        }
        if origin.maxInFlightPerKey > 1 {
            violations.append("\(origin.maxInFlightPerKey) origin fetches of one key were in flight at once")
        }

        let reached = firstNew.compactMap { $0 }.sorted()
        func quantile(_ q: Double) -> Double? {
            let needed = Int((Double(clients.count) * q).rounded(.up))
            return needed <= reached.count && needed > 0 ? reached[needed - 1] : nil
        }
        let samples = stride(from: 0.0, through: scenario.duration.seconds, by: 10).map { second in
            (seconds: second, fraction: Double(reached.filter { $0 <= second }.count) / Double(clients.count))
        }
        var stale = 0
        for edge in edges + (shield.map { [$0] } ?? []) {
            stale += Self.counter(edge.metrics.exposition(), "edge_requests_total{result=\"stale_while_revalidate\"}")
            stale += Self.counter(edge.metrics.exposition(), "edge_requests_total{result=\"stale_if_error\"}")
        }
        return PropagationResult(
            mode: mode, p50: quantile(0.5), p99: quantile(0.99), all: quantile(1), timeline: samples, pageLoads: loads,
            originRequests: origin.requests, staleServes: stale, violations: violations,
            traceHash: trace.finalize().map { String(format: "%02x", $0) }.joined())
    }

    private static func counter(_ exposition: String, _ name: String) -> Int {
        exposition.split(separator: "\n").first { $0.hasPrefix(name) }
            .flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }.map(Int.init) ?? 0
    }
}

public enum SimulationError: Error, CustomStringConvertible {
    case unknownSource(String)

    public var description: String {
        switch self {
        case .unknownSource(let id): "the workspace has no source '\(id)'"
        }
    }
}

/// Counts what reaches the origin and how many fetches of one key overlap; fails every fetch
/// while `isDown` (an origin outage) and runs `delay` before each (a slow origin).
final class CountingUpstream: Upstream, @unchecked Sendable {
    private let upstream: any Upstream
    private let isDown: @Sendable () -> Bool
    private let delay: @Sendable () -> Void
    private let lock = NSLock()
    private var inFlight: [String: Int] = [:]
    private(set) var requests = 0
    private(set) var maxInFlightPerKey = 0

    init(isDown: @escaping @Sendable () -> Bool = { false }, delay: @escaping @Sendable () -> Void = {}, _ upstream: any Upstream) {
        self.isDown = isDown
        self.delay = delay
        self.upstream = upstream
    }

    func fetch(_ path: String, headerFields: HTTPFields) async throws(UpstreamError) -> UpstreamResponse {
        if isDown() { throw .unreachable("origin outage") }
        lock.withLock {
            requests += 1
            inFlight[path, default: 0] += 1
            maxInFlightPerKey = max(maxInFlightPerKey, inFlight[path]!)
        }
        defer { lock.withLock { inFlight[path]! -= 1 } }
        delay()
        return try await upstream.fetch(path, headerFields: headerFields)
    }
}
