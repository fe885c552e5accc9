import Foundation
import ManifestBuilder
import ManifestHTTP
import ManifestOrigin
import TestSupport
import Testing

@testable import ManifestEdge

extension BrowserTests {
    /// Enough users that a 50% sample keeps some and drops others.
    static let sampledUsers = (1...16).map { "user-\($0)" }

    /// The users whose `Sampled` track call reached `destination` in one page load.
    static func sampledUsers(in result: JSONValue, reaching destination: String) -> [String] {
        guard case .array(let calls)? = result["calls"] else { return [] }
        return calls.filter {
            $0["destination"] == .string(destination) && $0["method"] == "track" && $0["event"]?["event"] == "Sampled"
        }.compactMap { if case .string(let user)? = $0["event"]?["userId"] { user } else { nil } }
    }

    @Test("a sample_event filter with a path sends the same user always the same way, as the Swift evaluator does")
    func samplesByUser() async throws {
        let stack = try Stack()
        var sampled = stack.workspace
        let web = try #require(sampled.sources.firstIndex { $0.kind == .web })
        let amplitude = try #require(sampled.sources[web].instances.firstIndex { $0.name == "Amplitude" })
        sampled.sources[web].instances[amplitude].filters = [
            DestinationFilter(
                name: "Half the users", condition: #"event = "Sampled""#, action: .sample(percent: 50, path: "userId"))
        ]
        let workspace = sampled
        let origin = OriginController(store: stack.store, publicKey: stack.key.publicKey)
        try await withLiveServer(origin.makeRouter()) { originPort in
            let cache = EdgeCache(
                upstream: CurlUpstream(baseURL: "http://127.0.0.1:\(originPort)", timeout: .seconds(30)), logger: .test)
            try await withEdgeServer(EdgeResponder(cache: cache, purgeToken: nil)) { edgePort in
                let edge = "http://127.0.0.1:\(edgePort)"
                try await stack.publish(workspace, cdn: edge)
                // What the Swift routing middleware decides for each user, from the same manifest.
                let manifest = try #require(try await stack.store.latest(writeKey: stack.web.writeKey))
                let routing = RoutingMiddleware(document: try JSONValue.parse(manifest.body))
                var kept: Set<String> = []
                for user in Self.sampledUsers {
                    let event: JSONValue = [
                        "type": "track", "event": "Sampled", "properties": [:], "userId": .string(user),
                    ]
                    let routed = routing.route(event, to: "Amplitude") {
                        Issue.record("a sample with a path must not draw at random")
                        return 0
                    }
                    if routed != nil { kept.insert(user) }
                }
                #expect(!kept.isEmpty && kept.count < Self.sampledUsers.count, "both outcomes occur: \(kept)")

                // Two page loads, the users in opposite orders: each time the browser keeps
                // exactly the users Swift keeps, once each, and the unfiltered Hotjar gets all.
                let browser = try await Chromium()
                for order in [Self.sampledUsers, Self.sampledUsers.reversed()] {
                    let events = JSONValue.array(order.map { ["event": "Sampled", "userId": .string($0)] })
                    let result = try await browser.result(
                        stack.demoURL(edge, events: String(decoding: CanonicalJSON.encode(events), as: UTF8.self)))
                    let reached = Self.sampledUsers(in: result, reaching: "Amplitude")
                    #expect(reached.count == Set(reached).count, "one call per kept user")
                    #expect(Set(reached) == kept, "the browser's sample equals Swift's")
                    #expect(Set(Self.sampledUsers(in: result, reaching: "Hotjar")) == Set(order))
                }
            }
        }
    }
}
