import Foundation
import HTTPTypes
import ManifestBuilder
import ManifestHTTP
import ManifestOrigin
import TestSupport
import Testing

@testable import ManifestEdge

@Suite("Invalidation stream between a real origin and an edge")
struct InvalidationStreamTests {
    @Test("a publish reaches the edge through the stream, long before the TTL")
    func publishReachesEdge() async throws {
        let origin = try await PublishedOrigin.make()
        let clock = ManualClock(PublishedOrigin.start)
        let server = OriginController(store: origin.store, publicKey: origin.key.publicKey)
        try await withLiveServer(server.makeRouter()) { originPort in
            let base = "http://127.0.0.1:\(originPort)"
            let cache = EdgeCache(
                upstream: CurlUpstream(baseURL: base, timeout: .seconds(30)), clock: clock, logger: .test)
            let subscriber = InvalidationSubscriber(
                upstream: CurlUpstream(baseURL: base, timeout: .seconds(15)), cache: cache, wait: 1, logger: .test)
            let following = Task { try await subscriber.run() }
            defer { following.cancel() }
            try await withTimeLimit { await subscriber.waitUntilApplied(1) }

            let first = await cache.respond(to: EdgeRequest(target: PublishedOrigin.settingsPath))
            #expect(first.headerFields[.manifestVersion] == "1")
            try await origin.publish(trackPages: false, at: PublishedOrigin.start.addingTimeInterval(60))
            try await withTimeLimit { await subscriber.waitUntilApplied(2) }
            let second = await cache.respond(to: EdgeRequest(target: PublishedOrigin.settingsPath))
            #expect(second.headerFields[.manifestVersion] == "2")
            #expect(second.headerFields[.cacheStatus]?.contains("fwd=stale; fwd-status=200") == true)
            #expect(metricValue(cache.metrics.exposition(), "edge_invalidations_total") == 1)

            // The long poll named the edge: the origin lists it with the sequence it has applied.
            try await withTimeLimit {
                while server.subscribers.list().subscribers.first?.applied != 2 { await Task.yield() }
            }
            let listed = try await CurlUpstream(baseURL: base, timeout: .seconds(30)).fetch(
                "/v1/subscribers", headerFields: [:])
            let list = try SubscriberList.decoder.decode(SubscriberList.self, from: Data(listed.body.readableBytesView))
            #expect(list.subscribers.map(\.name) == [cache.configuration.name])
            #expect(list.subscribers.first?.applied == 2)
            #expect(listed.headerFields[.cacheControl] == "no-store")
        }
    }

    @Test("through a shield: the shield relays each event after applying it, so the edge gets the new version")
    func chained() async throws {
        let origin = try await PublishedOrigin.make()
        let clock = ManualClock(PublishedOrigin.start)
        let server = OriginController(store: origin.store, publicKey: origin.key.publicKey)
        try await withLiveServer(server.makeRouter()) { originPort in
            let originURL = "http://127.0.0.1:\(originPort)"
            let shield = EdgeCache(
                upstream: CurlUpstream(baseURL: originURL, timeout: .seconds(30)), configuration: .init(name: "shield"),
                clock: clock,
                logger: .test)
            let shieldStream = InvalidationSubscriber(
                upstream: CurlUpstream(baseURL: originURL, timeout: .seconds(15)), cache: shield, wait: 1, logger: .test
            )
            try await withEdgeServer(EdgeResponder(cache: shield, purgeToken: nil, relay: shieldStream)) { shieldPort in
                let shieldURL = "http://127.0.0.1:\(shieldPort)"
                let edge = EdgeCache(
                    upstream: CurlUpstream(baseURL: shieldURL, timeout: .seconds(30)),
                    configuration: .init(name: "edge"), clock: clock,
                    logger: .test)
                let edgeStream = InvalidationSubscriber(
                    upstream: CurlUpstream(baseURL: shieldURL, timeout: .seconds(15)), cache: edge, wait: 1,
                    logger: .test)
                let following = [Task { try await shieldStream.run() }, Task { try await edgeStream.run() }]
                defer { for task in following { task.cancel() } }
                try await withTimeLimit { await shieldStream.waitUntilApplied(1) }
                try await withTimeLimit { await edgeStream.waitUntilApplied(1) }

                #expect(
                    await edge.respond(to: EdgeRequest(target: PublishedOrigin.settingsPath)).headerFields[
                        .manifestVersion] == "1")
                try await origin.publish(trackPages: false, at: PublishedOrigin.start.addingTimeInterval(60))
                try await withTimeLimit { await edgeStream.waitUntilApplied(2) }
                #expect((shieldStream.appliedSequence ?? 0) >= 2)
                let fresh = await edge.respond(to: EdgeRequest(target: PublishedOrigin.settingsPath))
                #expect(fresh.headerFields[.manifestVersion] == "2")
                #expect(
                    fresh.headerFields[values: .cacheStatus].joined(separator: ", ").contains(
                        "shield; fwd=stale; fwd-status=200"))
            }
        }
    }

    @Test("a subscriber that reconnects from its last sequence misses nothing")
    func resume() async throws {
        let origin = try await PublishedOrigin.make()
        try await origin.publish(trackPages: false, at: PublishedOrigin.start.addingTimeInterval(60))
        try await origin.publish(trackPages: true, at: PublishedOrigin.start.addingTimeInterval(120))
        let server = OriginController(store: origin.store, publicKey: origin.key.publicKey)
        try await withLiveServer(server.makeRouter()) { originPort in
            let cache = EdgeCache(
                upstream: CurlUpstream(baseURL: "http://127.0.0.1:\(originPort)", timeout: .seconds(30)), logger: .test)
            let subscriber = InvalidationSubscriber(
                upstream: CurlUpstream(baseURL: "http://127.0.0.1:\(originPort)", timeout: .seconds(15)), cache: cache,
                wait: 1, startAfter: 1, logger: .test)
            let following = Task { try await subscriber.run() }
            defer { following.cancel() }
            try await withTimeLimit { await subscriber.waitUntilApplied(3) }
            #expect(metricValue(cache.metrics.exposition(), "edge_invalidations_total") == 2)
        }
    }

    @Test("the events endpoint: a start without after, bad input, no-store")
    func endpoint() async throws {
        let origin = try await PublishedOrigin.make()
        try await origin.serve { fetch in
            let start = try await fetch("/v1/events")
            #expect(start.status == .ok)
            #expect(String(decoding: start.body, as: UTF8.self) == #"{"events":[],"last":1}"#)
            #expect(start.headerFields[.cacheControl] == "no-store")
            #expect(try await fetch("/v1/events?after=-3").status == .badRequest)
            let history = try await fetch("/v1/events?after=0&wait=0")
            #expect(
                String(decoding: history.body, as: UTF8.self).contains(#""writeKey":"\#(PublishedOrigin.writeKey)""#))
        }
    }
}
