import Crypto
import Foundation
import ManifestBuilder
import ManifestEdge
import ManifestHTTP

/// One run of a scenario, stepped one event at a time in virtual time: the next page load of
/// whichever client is due, the publish, and the edges' purge when the stream delivers it.
/// Every page load is checked against the scenario's invariants and hashed into the trace.
struct SimulationRun {
    let scenario: PropagationScenario
    let mode: PropagationScenario.Mode
    let parts: SimulatedParts
    /// The workspace after the change the run measures.
    let change: Workspace
    let progress: (@Sendable (Double) -> Void)?

    private var rng: SplitMix64
    private var nextLoad: [Date]
    private let publishAt: Date
    private let purgeAt: Date
    private let end: Date
    /// Which edges (and the shield) get the stream's invalidation; the others lose it.
    private let delivered: [Bool]
    private let shieldDelivered: Bool
    private var published = false
    private var purged: Bool
    /// Seconds after the publish at which each client first loaded the new version.
    private var firstNew: [Double?]
    private var violations: [String] = []
    private var trace = SHA256()
    private var loads = 0

    init(
        scenario: PropagationScenario, mode: PropagationScenario.Mode, parts: SimulatedParts, change: Workspace,
        progress: (@Sendable (Double) -> Void)?
    ) {
        self.scenario = scenario
        self.mode = mode
        self.parts = parts
        self.change = change
        self.progress = progress
        var rng = SplitMix64(seed: scenario.seed)
        let interval = scenario.pageLoadInterval.seconds
        nextLoad = parts.clients.indices.map { _ in
            parts.start.addingTimeInterval(Double.random(in: 0..<interval, using: &rng))
        }
        publishAt = parts.start.addingTimeInterval(scenario.warmUp.seconds)
        purgeAt = publishAt.addingTimeInterval(scenario.streamDelay.seconds + scenario.streamOutage.seconds)
        end = publishAt.addingTimeInterval(scenario.duration.seconds)
        delivered = parts.edges.indices.map { _ in Double.random(in: 0..<1, using: &rng) >= scenario.streamLoss }
        shieldDelivered = Double.random(in: 0..<1, using: &rng) >= scenario.streamLoss
        self.rng = rng
        purged = mode == .ttlOnly
        firstNew = Array(repeating: nil, count: parts.clients.count)
    }

    mutating func run() async throws -> PropagationResult {
        while true {
            let (client, time) = nextLoad.enumerated().min { ($0.element, $0.offset) < ($1.element, $1.offset) }
                .map { ($0.offset, $0.element) }!
            if !published && time >= publishAt {
                parts.clock.set(publishAt)
                _ = try await parts.publisher.publish(change, now: publishAt)
                published = true
            } else if published && !purged && time >= purgeAt {
                parts.clock.set(purgeAt)
                purgeDelivered()
                purged = true
            } else if time < end {
                parts.clock.set(time)
                await loadPage(client, at: time)
            } else {
                break
            }
        }
        if parts.origin.maxInFlightPerKey > 1 {
            violations.append("\(parts.origin.maxInFlightPerKey) origin fetches of one key were in flight at once")
        }
        return result()
    }

    /// The stream's invalidation, on the shield and the edges that got it.
    private func purgeDelivered() {
        let target = PurgeTarget.surrogateKey("writekey:\(parts.writeKey)")
        if let shield = parts.shield, shieldDelivered { shield.purge(target, soft: true) }
        for (edge, got) in zip(parts.edges, delivered) where got { edge.purge(target, soft: true) }
    }

    private mutating func loadPage(_ client: Int, at time: Date) async {
        let load = await parts.clients[client].loadPage()
        for edge in parts.edges { await edge.settle() }
        await parts.shield?.settle()
        loads += 1
        let line =
            "\(time.timeIntervalSince(parts.start)) \(client) \(load.version ?? 0) "
            + "\(load.destinations.joined(separator: ","))\n"
        trace.update(data: Data(line.utf8))
        check(load, client: client, at: time)
        nextLoad[client] = time.addingTimeInterval(
            scenario.pageLoadInterval.seconds * Double.random(in: 0.5..<1.5, using: &rng))
        progress?(min(1, time.timeIntervalSince(parts.start) / end.timeIntervalSince(parts.start)))
    }

    /// The invariants of one page load: nothing refused or failed, and no old version past its bound.
    private mutating func check(_ load: PageLoad, client: Int, at time: Date) {
        if case .refused(let reason) = load.outcome {
            violations.append("client \(client) refused a manifest: \(reason)")
        }
        if case .fetchFailed(let reason) = load.outcome {
            violations.append("client \(client) could not load: \(reason)")
        }
        guard published, let version = load.version else { return }
        let since = time.timeIntervalSince(publishAt)
        if version >= 2 {
            if firstNew[client] == nil { firstNew[client] = since }
            return
        }
        let edgeGotStream = delivered[client % parts.edges.count] && (parts.shield == nil || shieldDelivered)
        let bound = scenario.bound(mode, streamDelivered: edgeGotStream)
        if since > bound {
            violations.append(
                "client \(client) saw version \(version) \(Int(since)) s after the publish (bound \(Int(bound)) s)")
        }
    }

    private func result() -> PropagationResult {
        let clients = parts.clients.count
        let reached = firstNew.compactMap { $0 }.sorted()
        func quantile(_ q: Double) -> Double? {
            let needed = Int((Double(clients) * q).rounded(.up))
            return needed <= reached.count && needed > 0 ? reached[needed - 1] : nil
        }
        let samples = stride(from: 0.0, through: scenario.duration.seconds, by: 10).map { second in
            (seconds: second, fraction: Double(reached.filter { $0 <= second }.count) / Double(clients))
        }
        let stale = (parts.edges + (parts.shield.map { [$0] } ?? [])).map(\.metrics.staleServes).reduce(0, +)
        return PropagationResult(
            mode: mode, p50: quantile(0.5), p99: quantile(0.99), all: quantile(1), timeline: samples, pageLoads: loads,
            originRequests: parts.origin.requests, staleServes: stale, violations: violations,
            traceHash: trace.finalize().map { String(format: "%02x", $0) }.joined())
    }
}
