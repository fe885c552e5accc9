import Foundation
import HTTPTypes
import Hummingbird
import ManifestHTTP
import TestSupport
import Testing

@testable import ManifestEdge

/// A scripted origin and an edge in front of it, both on loopback, the edge on a manual clock.
struct EdgeHarness: Sendable {
    let edgePort: Int
    let cache: EdgeCache
    let script: OriginScript
    let clock: ManualClock
    let client = CurlHTTPClient(configuration: .init(timeout: .seconds(30)))

    func get(_ path: String, _ fields: HTTPFields = [:], method: HTTPRequest.Method = .get) async throws
        -> CurlHTTPClient.Response
    {
        try await client.execute(
            .init(method: method, url: "http://127.0.0.1:\(edgePort)\(path)", headerFields: fields))
    }

    func post(_ path: String, token: String? = "purge-secret") async throws -> CurlHTTPClient.Response {
        var fields = HTTPFields()
        if let token { fields[.authorization] = "Bearer \(token)" }
        return try await client.execute(
            .init(method: .post, url: "http://127.0.0.1:\(edgePort)\(path)", headerFields: fields))
    }
}

func withEdge(
    budget: Int = 1 << 20, script: OriginScript = OriginScript(),
    configure: (inout EdgeConfiguration) -> Void = { _ in },
    _ body: @Sendable (EdgeHarness) async throws -> Void
) async throws {
    let clock = ManualClock()
    var configured = EdgeConfiguration(name: "test-edge", byteBudget: budget)
    configure(&configured)
    let configuration = configured
    try await withLiveServer(responder: ScriptedOrigin(script: script)) { originPort in
        let cache = EdgeCache(
            upstream: CurlUpstream(baseURL: "http://127.0.0.1:\(originPort)", timeout: .seconds(30)),
            configuration: configuration,
            clock: clock,
            logger: .test)
        try await withEdgeServer(EdgeResponder(cache: cache, purgeToken: "purge-secret")) { edgePort in
            try await body(EdgeHarness(edgePort: edgePort, cache: cache, script: script, clock: clock))
        }
    }
}

extension CurlHTTPClient.Response {
    var text: String { String(decoding: body, as: UTF8.self) }
    var cacheStatus: String { headerFields[values: HTTPField.Name("Cache-Status")!].joined(separator: ", ") }
}

@Suite("Edge cache over loopback")
struct EdgeServerTests {
    @Test("a miss goes to the origin once; then hits, with Age growing on the clock")
    func hitAndMiss() async throws {
        try await withEdge { edge in
            let first = try await edge.get("/v1/projects/a/settings")
            #expect(first.status == .ok)
            #expect(first.text == "/v1/projects/a/settings v1")
            #expect(first.cacheStatus.contains("test-edge; fwd=miss; fwd-status=200; stored"))
            edge.clock.advance(by: .seconds(100))
            let second = try await edge.get("/v1/projects/a/settings")
            #expect(second.text == first.text)
            #expect(second.cacheStatus.contains("test-edge; hit; ttl=1700"))
            #expect(second.headerFields[.age] == "100")
            #expect(await edge.script.count("/v1/projects/a/settings") == 1)
        }
    }

    @Test("CDN-Cache-Control's 30 minutes win over Cache-Control; at expiry the edge revalidates with If-None-Match")
    func expiryAndRevalidation() async throws {
        try await withEdge { edge in
            _ = try await edge.get("/s")
            edge.clock.advance(by: .seconds(1799))
            #expect(try await edge.get("/s").cacheStatus.contains("hit; ttl=1"))
            #expect(await edge.script.count("/s") == 1)
            edge.clock.advance(by: .seconds(2))
            let revalidated = try await edge.get("/s")
            #expect(revalidated.status == .ok)
            #expect(revalidated.text == "/s v1")
            #expect(revalidated.cacheStatus.contains("fwd=stale; fwd-status=304"))
            #expect(revalidated.headerFields[.age] == "0")
            #expect(await edge.script.conditionalRequests == 1)
            #expect(try await edge.get("/s").cacheStatus.contains("hit; ttl=1800"))
            #expect(await edge.script.count("/s") == 2)
        }
    }

    @Test("a changed origin response replaces the stored one after expiry")
    func expiryFetchesNewVersion() async throws {
        try await withEdge { edge in
            _ = try await edge.get("/s")
            await edge.script.setVersion(2)
            #expect(try await edge.get("/s").text == "/s v1")
            edge.clock.advance(by: .seconds(1801))
            let fresh = try await edge.get("/s")
            #expect(fresh.text == "/s v2")
            #expect(fresh.cacheStatus.contains("fwd=stale; fwd-status=200"))
        }
    }

    @Test("clients with a matching If-None-Match get 304 without a body")
    func clientConditional() async throws {
        try await withEdge { edge in
            _ = try await edge.get("/s")
            let notModified = try await edge.get("/s", [.ifNoneMatch: "\"v0\", W/\"v1\""])
            #expect(notModified.status == .notModified)
            #expect(notModified.body.isEmpty)
            #expect(notModified.headerFields[.eTag] == "\"v1\"")
            let otherTag = try await edge.get("/s", [.ifNoneMatch: "\"v0\""])
            let anyTag = try await edge.get("/s", [.ifNoneMatch: "*"])
            #expect(otherTag.status == .ok)
            #expect(anyTag.status == .notModified)
        }
    }

    @Test("HEAD answers the headers without a body")
    func head() async throws {
        try await withEdge { edge in
            let response = try await edge.get("/s", method: .head)
            #expect(response.status == .ok)
            #expect(response.body.isEmpty)
            #expect(response.headerFields[.eTag] == "\"v1\"")
        }
    }

    @Test("100 concurrent misses of one key make exactly one origin request")
    func coalescing() async throws {
        try await withEdge { edge in
            await edge.script.hold()
            let responses = try await withThrowingTaskGroup(of: CurlHTTPClient.Response.self) { group in
                for _ in 0..<100 { group.addTask { try await edge.get("/hot") } }
                try await withTimeLimit { await edge.script.waitForArrival() }
                await edge.script.release()
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(responses.count == 100)
            #expect(responses.allSatisfy { $0.status == .ok && $0.text == "/hot v1" })
            #expect(await edge.script.count("/hot") == 1)
            let collapsed = responses.filter { $0.cacheStatus.contains("collapsed") }.count
            let hits = responses.filter { $0.cacheStatus.contains("; hit;") }.count
            #expect(collapsed + hits == 99)
        }
    }

    @Test("stale-while-revalidate serves the stale copy and refreshes once in the background")
    func staleWhileRevalidate() async throws {
        let script = OriginScript()
        await script.set("CDN-Cache-Control", "max-age=10, stale-while-revalidate=60")
        try await withEdge(script: script) { edge in
            _ = try await edge.get("/s")
            await edge.script.setVersion(2)
            edge.clock.advance(by: .seconds(15))
            let stale = try await edge.get("/s")
            #expect(stale.text == "/s v1")
            #expect(stale.cacheStatus.contains("detail=stale-while-revalidate"))
            await edge.cache.settle()
            #expect(await edge.script.count("/s") == 2)
            let fresh = try await edge.get("/s")
            #expect(fresh.text == "/s v2")
            #expect(fresh.cacheStatus.contains("hit"))
            edge.clock.advance(by: .seconds(100))
            #expect(try await edge.get("/s").cacheStatus.contains("fwd=stale"))
        }
    }

    @Test("stale-if-error: an origin 5xx is covered by the stale copy within the window, then passed on as it is")
    func staleIfErrorOn5xx() async throws {
        let script = OriginScript()
        await script.set("CDN-Cache-Control", "max-age=10, stale-if-error=600")
        try await withEdge(script: script) { edge in
            _ = try await edge.get("/s")
            await edge.script.setMode(.fail)
            edge.clock.advance(by: .seconds(300))
            let covered = try await edge.get("/s")
            #expect(covered.status == .ok)
            #expect(covered.text == "/s v1")
            #expect(covered.cacheStatus.contains("fwd=stale; fwd-status=503; detail=stale-if-error"))
            edge.clock.advance(by: .seconds(400))
            let exposed = try await edge.get("/s")
            #expect(exposed.status == .serviceUnavailable)
            #expect(exposed.text == "down")
            #expect(exposed.cacheStatus.contains("fwd=miss; fwd-status=503"))
            #expect(try await edge.get("/never-fetched").status == .serviceUnavailable)
        }
    }

    @Test("stale-if-error with the origin stopped; with no copy, 502; a hung origin times out with 504")
    func originStopped() async throws {
        let script = OriginScript()
        await script.set("CDN-Cache-Control", "max-age=10, stale-if-error=600")
        let clock = ManualClock()
        let cache = try await withLiveServer(responder: ScriptedOrigin(script: script)) { originPort in
            let cache = EdgeCache(
                upstream: CurlUpstream(baseURL: "http://127.0.0.1:\(originPort)", timeout: .seconds(30)), clock: clock,
                logger: .test)
            #expect(await cache.respond(to: EdgeRequest(target: "/s")).status == .ok)
            return cache
        }
        clock.advance(by: .seconds(60))
        try await withEdgeServer(EdgeResponder(cache: cache, purgeToken: nil)) { edgePort in
            let client = CurlHTTPClient(configuration: .init(timeout: .seconds(30)))
            let covered = try await client.execute(.init(url: "http://127.0.0.1:\(edgePort)/s"))
            #expect(covered.status == .ok)
            #expect(covered.text == "/s v1")
            #expect(covered.cacheStatus.contains("detail=stale-if-error"))
            let missing = try await client.execute(.init(url: "http://127.0.0.1:\(edgePort)/other"))
            #expect(missing.status == .badGateway)
            #expect(missing.text.contains("unreachable"))
        }
        let silent = try SilentListener()
        let hung = EdgeCache(
            upstream: CurlUpstream(baseURL: "http://127.0.0.1:\(silent.port)", timeout: .milliseconds(200)),
            logger: .test)
        let timedOut = await hung.respond(to: EdgeRequest(target: "/s"))
        #expect(timedOut.status == .gatewayTimeout)
    }

    @Test("purge by surrogate key: hard removes, soft marks stale but keeps it for stale-if-error")
    func purge() async throws {
        let script = OriginScript()
        await script.set("Surrogate-Key", "source:web workspace:acme")
        await script.set("CDN-Cache-Control", "max-age=1800, stale-if-error=600")
        try await withEdge(script: script) { edge in
            _ = try await edge.get("/a")
            _ = try await edge.get("/b")
            #expect(try await edge.post("/.edge/purge?key=source:web", token: nil).status == .unauthorized)
            #expect(try await edge.post("/.edge/purge?key=source:web", token: "wrong").status == .unauthorized)
            #expect(try await edge.get("/.edge/purge?key=source:web").status == .methodNotAllowed)
            #expect(try await edge.post("/.edge/purge").status == .badRequest)

            let hard = try await edge.post("/.edge/purge?key=source:web")
            #expect(hard.text == #"{"purged":2,"soft":false}"#)
            #expect(edge.cache.storedCount == 0)
            _ = try await edge.get("/a")
            #expect(await edge.script.count("/a") == 2)

            #expect(try await edge.post("/.edge/purge?key=workspace:acme&soft=1").text == #"{"purged":1,"soft":true}"#)
            await edge.script.setMode(.fail)
            let covered = try await edge.get("/a")
            #expect(covered.status == .ok)
            #expect(covered.cacheStatus.contains("stale-if-error"))
            await edge.script.setMode(.normal)
            await edge.script.setVersion(2)
            let refreshed = try await edge.get("/a")
            #expect(refreshed.text == "/a v2")
            #expect(try await edge.post("/.edge/purge?all=1").text == #"{"purged":1,"soft":false}"#)
            #expect(try await edge.post("/.edge/purge?path=/a").text == #"{"purged":0,"soft":false}"#)
        }
    }

    @Test("the byte budget holds, evicting the least recently used")
    func lruBound() async throws {
        try await withEdge(budget: 1_000) { edge in
            for index in 0..<10 { _ = try await edge.get("/item/\(index)") }
            #expect(edge.cache.storedBytes <= 1_000)
            let held = edge.cache.storedCount
            #expect(held > 0 && held < 10)
            _ = try await edge.get("/item/9")
            #expect(await edge.script.count("/item/9") == 1)
            _ = try await edge.get("/item/0")
            #expect(await edge.script.count("/item/0") == 2)
            let metrics = try await edge.get("/metrics").text
            #expect(try #require(metricValue(metrics, "edge_evictions_total")) >= Double(10 - held))
        }
    }

    @Test("a compressed entry holds gzip and br only; the first identity request decodes and keeps identity")
    func identityOnDemand() async throws {
        let document = String(repeating: #"{"integration":"Segment.io","settings":{"apiKey":"wk_1"}},"#, count: 40)
        let script = OriginScript()
        await script.setBody(document)
        try await withEdge(script: script) { edge in
            let compressed = try await edge.get("/s", [.acceptEncoding: "gzip"])
            #expect(compressed.headerFields[.contentEncoding] == "gzip")
            let held = edge.cache.storedBytes
            #expect(held < document.utf8.count / 2)
            // Within a range: the offsets count in the identity bytes, decoded but not kept.
            let range = try await edge.get("/s", [.range: "bytes=10-19"])
            #expect(range.status == .partialContent)
            #expect(range.text == String(document.dropFirst(10).prefix(10)))
            let head = try await edge.get("/s", method: .head)
            #expect(head.headerFields[.contentLength] == String(document.utf8.count))
            #expect(edge.cache.storedBytes == held)
            let identity = try await edge.get("/s")
            #expect(identity.headerFields[.contentEncoding] == nil)
            #expect(identity.headerFields[.eTag] == "\"v1\"")
            #expect(identity.text == document)
            #expect(edge.cache.storedBytes == held + document.utf8.count)
            #expect(try await edge.get("/s").text == document)
            #expect(edge.cache.metrics.exposition().contains("edge_identity_decoded_total 1\n"))
            #expect(await edge.script.count("/s") == 1)
        }
    }

    @Test("responses vary on the fields the origin's Vary names")
    func vary() async throws {
        let script = OriginScript()
        await script.set("Vary", "Accept-Language")
        try await withEdge(script: script) { edge in
            let language = HTTPField.Name("Accept-Language")!
            let english = try await edge.get("/s", [language: "en"])
            let french = try await edge.get("/s", [language: "fr"])
            let englishAgain = try await edge.get("/s", [language: "en"])
            let frenchAgain = try await edge.get("/s", [language: "fr"])
            #expect(english.text == "/s v1 en")
            #expect(french.text == "/s v1 fr")
            #expect(englishAgain.text == "/s v1 en")
            #expect(frenchAgain.cacheStatus.contains("hit"))
        }
    }

    @Test("no-store and private responses pass through uncached")
    func uncacheable() async throws {
        let script = OriginScript()
        await script.set("CDN-Cache-Control", "no-store")
        try await withEdge(script: script) { edge in
            _ = try await edge.get("/s")
            let second = try await edge.get("/s")
            #expect(second.cacheStatus.contains("fwd=miss"))
            #expect(await edge.script.count("/s") == 2)
        }
    }

    @Test("malformed requests get 4xx and the edge stays up")
    func malformed() async throws {
        try await withEdge { edge in
            #expect(try await edge.get("/s", method: .trace).status == .methodNotAllowed)
            #expect(try await edge.get("/" + String(repeating: "a", count: 3000)).status == .uriTooLong)
            let badTarget = try rawExchange(port: edge.edgePort, Array("GET /a<b>{c} HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            #expect(badTarget.hasPrefix("HTTP/1.1 400"))
            let hugeHeader = "GET /s HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "b", count: 200_000))\r\n\r\n"
            let huge = try rawExchange(port: edge.edgePort, Array(hugeHeader.utf8))
            #expect(huge.isEmpty || huge.hasPrefix("HTTP/1.1 4"))
            let garbage = try rawExchange(port: edge.edgePort, Array("NOT HTTP AT ALL\r\n\r\n".utf8))
            #expect(garbage.isEmpty || garbage.hasPrefix("HTTP/1.1 4"))
            #expect(try await edge.get("/healthz").status == .ok)
            #expect(try await edge.get("/s").status == .ok)
        }
    }

    @Test("metrics count hits, misses, coalesced waiters and upstream latency")
    func metrics() async throws {
        try await withEdge { edge in
            _ = try await edge.get("/s")
            _ = try await edge.get("/s")
            await edge.script.hold()
            let held = try await withThrowingTaskGroup(of: CurlHTTPClient.Response.self) { group in
                for _ in 0..<5 { group.addTask { try await edge.get("/c") } }
                try await withTimeLimit { await edge.script.waitForArrival() }
                // Release only once the other four wait on the fetch the first one started.
                try await withTimeLimit {
                    while (metricValue(edge.cache.metrics.exposition(), "edge_coalesced_requests_total") ?? 0) < 4 {
                        await Task.yield()
                    }
                }
                await edge.script.release()
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let collapsed = held.filter { $0.cacheStatus.contains("collapsed") }.count
            let metrics = try await edge.get("/metrics")
            #expect(metrics.headerFields[.contentType] == "text/plain; version=0.0.4")
            #expect(
                metricValue(metrics.text, #"edge_requests_total{result="hit"}"#)
                    == Double(1 + held.count - 1 - collapsed))
            #expect(metricValue(metrics.text, #"edge_requests_total{result="miss"}"#) == Double(2 + collapsed))
            #expect(collapsed == 4)
            #expect(metricValue(metrics.text, "edge_coalesced_requests_total") == Double(collapsed))
            #expect(metricValue(metrics.text, "edge_upstream_duration_seconds_count") == 2)
            #expect(try #require(metricValue(metrics.text, "edge_cache_bytes")) > 0)
            #expect(metricValue(metrics.text, "edge_cache_entries") == 2)
        }
    }
}
