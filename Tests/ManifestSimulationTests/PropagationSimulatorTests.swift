import Foundation
import ManifestBuilder
import ManifestEdge
import ManifestHTTP
import ManifestOrigin
import TestSupport
import Testing

@testable import ManifestSimulation

extension Tag {
    /// Full-size runs: minutes on a 2-core machine. CI runs them (`MANIFEST_SLOW_TESTS=1`);
    /// `swift test` alone skips them.
    @Tag static var slow: Self
}

/// Whether the full-size runs are wanted.
let slowTestsEnabled = ProcessInfo.processInfo.environment["MANIFEST_SLOW_TESTS"] == "1"

@Suite("Deterministic propagation simulation", .serialized)
struct PropagationSimulatorTests {
    /// The scenarios run on a compressed time scale (a 5-minute edge TTL instead of 30) so that
    /// each crosses every bound with a few hundred page loads; the bounds are the same formulas.
    static let edgeTTL = 300.0

    func simulator(_ configure: (inout PropagationScenario) -> Void = { _ in }) throws -> PropagationSimulator {
        let catalog = try Fixtures.catalog()
        let workspace = try Fixtures.acme()
        var scenario = PropagationScenario()
        scenario.clients = 12
        scenario.edges = 2
        scenario.warmUp = .seconds(120)
        scenario.duration = .seconds(600)
        scenario.policy.edgeTTL = .seconds(Self.edgeTTL)
        configure(&scenario)
        let source = try #require(workspace.sources.first { $0.kind == .web })
        return PropagationSimulator(
            scenario: scenario, catalog: catalog, bundles: try Fixtures.bundles(for: catalog), workspace: workspace,
            sourceID: source.id, logger: .test)
    }

    @Test("the stream beats the TTL, and both stay within their bounds")
    func streamBeatsTTL() async throws {
        let simulation = try simulator()
        let stream = try await simulation.run(.stream)
        let ttl = try await simulation.run(.ttlOnly)
        #expect(stream.violations.isEmpty)
        #expect(ttl.violations.isEmpty)
        let streamAll = try #require(stream.all)
        let ttlAll = try #require(ttl.all)
        // With the stream, a browser's own max-age and its next page load are what is left.
        #expect(streamAll <= 60 + 0.1 + 90)
        // Edges filled during the 120 s warm-up, so their copies expire 180 to 300 s after the publish.
        #expect(ttlAll > Self.edgeTTL - 120)
        #expect(ttlAll <= Self.edgeTTL + 60 + 60 + 90)
        #expect(try #require(stream.p50) < ttlAll)
        #expect(stream.timeline.last?.fraction == 1)
    }

    @Test("full size: 50 clients, 4 edges, the 30-minute TTL", .tags(.slow), .enabled(if: slowTestsEnabled))
    func fullSize() async throws {
        let simulation = try simulator {
            $0 = PropagationScenario()
            $0.clients = 50
        }
        let stream = try await simulation.run(.stream)
        let ttl = try await simulation.run(.ttlOnly)
        #expect(stream.violations.isEmpty)
        #expect(ttl.violations.isEmpty)
        #expect(try #require(stream.all) <= 60 + 0.1 + 90)
        #expect(try #require(ttl.all) > 1800 - 300)
        #expect(try #require(ttl.all) <= 1800 + 60 + 60 + 90)
    }

    @Test("the same seed gives the same trace; another seed another")
    func deterministic() async throws {
        let first = try await simulator().run(.stream)
        let again = try await simulator().run(.stream)
        let other = try await simulator { $0.seed = 2 }.run(.stream)
        #expect(first.traceHash == again.traceHash)
        #expect(first.p99 == again.p99)
        #expect(first.traceHash != other.traceHash)
    }

    @Test("when every edge loses the invalidation, the TTL still bounds the delay")
    func lostStream() async throws {
        let lost = try await simulator { $0.streamLoss = 1 }.run(.stream)
        #expect(lost.violations.isEmpty)
        #expect(try #require(lost.all) > Self.edgeTTL - 120)
    }

    @Test("a disconnected stream delivers late but delivers; an origin outage is bridged by stale copies")
    func faults() async throws {
        let disconnected = try await simulator { $0.streamOutage = .seconds(120) }.run(.stream)
        #expect(disconnected.violations.isEmpty)
        #expect(try #require(disconnected.p50) >= 120)
        #expect(try #require(disconnected.all) <= 120 + 60 + 90 + 1)

        let outage = try await simulator { $0.originOutage = .init(start: .zero, length: .seconds(200)) }.run(.stream)
        // No client failed to load (a fetch failure is a violation): the edges' stale copies answered.
        #expect(outage.violations.isEmpty)
        #expect(outage.staleServes > 0)
        #expect(try #require(outage.p50) >= 200)

        let slow = try await simulator { $0.originLatency = .seconds(3) }.run(.stream)
        #expect(slow.violations.isEmpty)
        #expect(slow.traceHash != disconnected.traceHash)
    }

    @Test("a shield tier takes the origin's load")
    func shield() async throws {
        let direct = try await simulator { $0.edges = 3 }.run(.stream)
        let shielded = try await simulator {
            $0.edges = 3
            $0.shield = true
        }.run(.stream)
        #expect(shielded.violations.isEmpty)
        #expect(shielded.originRequests < direct.originRequests)
    }

    @Test("the same scenario over real servers on loopback agrees with the in-process run", arguments: [false, true])
    func loopbackAgrees(shield: Bool) async throws {
        let simulation = try simulator {
            $0.clients = 8
            $0.shield = shield
        }
        for mode in PropagationScenario.Mode.allCases {
            let inProcess = try await simulation.run(mode)
            let loopback = try await simulation.run(mode, transport: .loopback)
            #expect(loopback.violations.isEmpty)
            #expect(loopback.p50 == inProcess.p50)
            #expect(loopback.all == inProcess.all)
            #expect(loopback.originRequests == inProcess.originRequests)
            #expect(loopback.traceHash == inProcess.traceHash)
        }
    }

    @Test("the chart has one line per mode")
    func chart() async throws {
        let result = try await simulator {
            $0.clients = 4
            $0.duration = .seconds(300)
        }.run(.stream)
        let svg = PropagationReport.svg([result], title: "t")
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.components(separatedBy: "<polyline").count == 2)
    }
}
