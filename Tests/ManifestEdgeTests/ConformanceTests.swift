import Foundation
import HTTPTypes
import ManifestHTTP
import TestSupport
import Testing

@testable import ManifestEdge

/// The conformance rules end to end: a scripted origin and an edge on loopback.
@Suite("HTTP conformance over loopback")
struct ConformanceTests {
    @Test(
        "RFC 9111 §3: an origin error with explicit freshness is stored and reused; one without is passed on each time")
    func transparentErrors() async throws {
        let script = OriginScript()
        await script.setStatus(.internalServerError)
        try await withEdge(script: script) { edge in
            let first = try await edge.get("/error")
            #expect(first.status == .internalServerError)
            #expect(first.text == "/error v1")
            _ = try await edge.get("/error")
            // CDN-Cache-Control max-age=1800 is explicit freshness: stored, answered from the cache.
            #expect(await edge.script.count("/error") == 1)
        }
        let bare = OriginScript()
        await bare.setStatus(.internalServerError)
        await bare.set("CDN-Cache-Control", nil)
        await bare.set("Cache-Control", nil)
        try await withEdge(script: bare) { edge in
            let first = try await edge.get("/error")
            let second = try await edge.get("/error")
            #expect(first.status == .internalServerError)
            #expect(second.status == .internalServerError)
            #expect(await edge.script.count("/error") == 2)
        }
    }

    @Test("RFC 9111 §4.4: a POST goes upstream and invalidates its target and the same-origin Location")
    func unsafeMethodsInvalidate() async throws {
        try await withEdge { edge in
            _ = try await edge.get("/items")
            _ = try await edge.get("/items/7")
            _ = try await edge.get("/other")
            await edge.script.setUnsafe(.created, [.location: "/items/7"])
            let created = try await edge.get("/items", method: .post)
            #expect(created.status == .created)
            #expect(created.text == "POST /items")
            _ = try await edge.get("/items")
            _ = try await edge.get("/items/7")
            _ = try await edge.get("/other")
            #expect(await edge.script.count("/items") == 3)  // GET, POST, GET again
            #expect(await edge.script.count("/items/7") == 2)
            #expect(await edge.script.count("/other") == 1)
            #expect(await edge.script.log.contains("POST /items"))
        }
    }

    @Test("RFC 9111 §4.4: no invalidation after an error answer; a read-only edge refuses unsafe methods")
    func unsafeMethodErrors() async throws {
        try await withEdge { edge in
            _ = try await edge.get("/items")
            await edge.script.setUnsafe(.badRequest, [:])
            #expect(try await edge.get("/items", method: .delete).status == .badRequest)
            _ = try await edge.get("/items")
            #expect(await edge.script.count("/items") == 2)
        }
        let readOnly: (inout EdgeConfiguration) -> Void = { $0.forwardsUnsafeMethods = false }
        try await withEdge(configure: readOnly) { edge in
            let refused = try await edge.get("/items", method: .put)
            #expect(refused.status == .methodNotAllowed)
            #expect(refused.headerFields[.allow] == "GET, HEAD")
            #expect(await edge.script.count("/items") == 0)
        }
    }

    @Test("RFC 9111 §3.5: a response to an authorised request is not reused unless it says it may be shared")
    func authorization() async throws {
        try await withEdge { edge in
            await edge.script.set("CDN-Cache-Control", nil)
            await edge.script.set("Cache-Control", "max-age=60")
            _ = try await edge.get("/me", [.authorization: "Bearer alice"])
            let anonymous = try await edge.get("/me")
            #expect(anonymous.cacheStatus.contains("fwd=miss"))
            #expect(await edge.script.count("/me") == 2)

            await edge.script.set("Cache-Control", "public, max-age=60")
            _ = try await edge.get("/shared", [.authorization: "Bearer alice"])
            #expect(try await edge.get("/shared").cacheStatus.contains("hit"))
        }
    }

    @Test("only allow-listed request fields reach the origin; Set-Cookie is never stored")
    func perUserFields() async throws {
        try await withEdge { edge in
            await edge.script.set("Set-Cookie", "session=alice")
            let first = try await edge.get(
                "/page",
                [.cookie: "session=alice", HTTPField.Name("X-Forwarded-Host")!: "evil.example", .acceptLanguage: "en"])
            #expect(first.headerFields[.setCookie] == nil)
            let sent = await edge.script.lastFields
            #expect(sent[.cookie] == nil)
            #expect(sent[HTTPField.Name("X-Forwarded-Host")!] == nil)
            #expect(sent[.acceptLanguage] == "en")
            #expect(sent[.userAgent] == "manifest-edge")
            let second = try await edge.get("/page")
            #expect(second.cacheStatus.contains("hit"))
            #expect(second.headerFields[.setCookie] == nil)
        }
    }

    @Test("settings paths ignore their query: random query strings share one entry and never reach the origin")
    func queryFree() async throws {
        try await withEdge { edge in
            for index in 0..<20 { _ = try await edge.get("/v1/projects/k/settings?bust=\(index)") }
            #expect(await edge.script.count("/v1/projects/k/settings") == 1)
            #expect(edge.cache.storedCount == 1)
            // Elsewhere the query is part of the key (RFC 9111 §2).
            _ = try await edge.get("/other?a=1")
            _ = try await edge.get("/other?a=2")
            #expect(await edge.script.total == 3)
        }
    }

    @Test("an outage costs the origin one probe per backoff, not one request per client")
    func backoff() async throws {
        let script = OriginScript()
        await script.set("CDN-Cache-Control", "max-age=10, stale-if-error=600")
        let quickToBackOff: (inout EdgeConfiguration) -> Void = { $0.failureThreshold = 2 }
        try await withEdge(script: script, configure: quickToBackOff) { edge in
            _ = try await edge.get("/s")
            await edge.script.setMode(.fail)
            edge.clock.advance(by: .seconds(20))
            for _ in 0..<30 {
                let answer = try await edge.get("/s")
                #expect(answer.status == .ok)
            }
            #expect(await edge.script.count("/s") == 3)  // the first fill, then two failures open the breaker
            edge.clock.advance(by: .seconds(1))
            _ = try await edge.get("/s")
            #expect(await edge.script.count("/s") == 4)  // one probe after the backoff
            let metrics = try await edge.get("/metrics").text
            #expect(try #require(metricValue(metrics, "edge_upstream_skipped_total")) >= 28)
            await edge.script.setMode(.normal)
            edge.clock.advance(by: .seconds(1))
            let recovered = try await edge.get("/s")
            #expect(recovered.cacheStatus.contains("fwd=stale; fwd-status=304"))  // revalidated
            #expect(await edge.script.count("/s") == 5)
        }
    }

    @Test("RFC 9110 §13.1.3: If-Modified-Since is answered from the store, If-None-Match taking precedence")
    func ifModifiedSince() async throws {
        try await withEdge { edge in
            await edge.script.set("Last-Modified", "Fri, 15 Jan 2027 07:00:00 GMT")
            _ = try await edge.get("/s")
            let later = try await edge.get("/s", [.ifModifiedSince: "Fri, 15 Jan 2027 07:30:00 GMT"])
            #expect(later.status == .notModified)
            let earlier = try await edge.get("/s", [.ifModifiedSince: "Fri, 15 Jan 2027 06:30:00 GMT"])
            #expect(earlier.status == .ok)
            let precedence = try await edge.get(
                "/s", [.ifModifiedSince: "Fri, 15 Jan 2027 07:30:00 GMT", .ifNoneMatch: "\"other\""])
            #expect(precedence.status == .ok)
        }
    }

    @Test("RFC 9110 §14: ranges of a stored response, and 416 past its end")
    func ranges() async throws {
        try await withEdge { edge in
            _ = try await edge.get("/range")  // "/range v1": 9 bytes
            let head = try await edge.get("/range", [.range: "bytes=0-5"])
            #expect(head.status == .partialContent)
            #expect(head.text == "/range")
            #expect(head.headerFields[.contentRange] == "bytes 0-5/9")
            let suffix = try await edge.get("/range", [.range: "bytes=-2"])
            #expect(suffix.text == "v1")
            let past = try await edge.get("/range", [.range: "bytes=20-"])
            #expect(past.status == .rangeNotSatisfiable)
            #expect(past.headerFields[.contentRange] == "bytes */9")
            let stale = try await edge.get("/range", [.range: "bytes=0-1", .ifRange: "\"v0\""])
            #expect(stale.status == .ok)
            #expect(stale.text == "/range v1")
            #expect(await edge.script.count("/range") == 1)
        }
    }

    /// An origin that answers every GET with bytes 0-4 of a 10-byte representation.
    static func partialOrigin() async -> OriginScript {
        let script = OriginScript()
        await script.setStatus(.partialContent)
        await script.set("Content-Range", "bytes 0-4/10")
        await script.setBody("01234")
        return script
    }

    @Test("RFC 9111 §3.3: a 206 the origin sends unasked is stored and answers the ranges it holds, nothing else")
    func partialStored() async throws {
        try await withEdge(script: await Self.partialOrigin()) { edge in
            let first = try await edge.get("/p", [.range: "bytes=0-2"])
            #expect(first.status == .partialContent)
            #expect(first.text == "012")
            #expect(first.headerFields[.contentRange] == "bytes 0-2/10")
            let within = try await edge.get("/p", [.range: "bytes=1-4"])
            #expect(within.text == "1234")
            #expect(within.headerFields[.contentRange] == "bytes 1-4/10")
            #expect(within.cacheStatus.contains("hit"))
            #expect(await edge.script.count("/p") == 1)
            // Neither a range beyond the stored bytes nor the whole response comes from the part.
            _ = try await edge.get("/p", [.range: "bytes=3-7"])
            let whole = try await edge.get("/p")
            #expect(whole.status == .partialContent, "the origin's own answer, passed on")
            #expect(whole.headerFields[.contentRange] == "bytes 0-4/10")
            #expect(await edge.script.count("/p") == 3)
        }
    }

    @Test("RFC 9111 §3.4: parts with the same strong validator are combined, into a complete response once whole")
    func partialCombined() async throws {
        try await withEdge(script: await Self.partialOrigin()) { edge in
            _ = try await edge.get("/p", [.range: "bytes=0-4"])
            await edge.script.set("Content-Range", "bytes 5-9/10")
            await edge.script.setBody("56789")
            let second = try await edge.get("/p", [.range: "bytes=5-9"])
            #expect(second.status == .partialContent)
            #expect(second.text == "56789")
            let whole = try await edge.get("/p")
            #expect(whole.status == .ok)
            #expect(whole.text == "0123456789")
            #expect(whole.headerFields[.contentRange] == nil)
            let middle = try await edge.get("/p", [.range: "bytes=3-6"])
            #expect(middle.text == "3456")
            #expect(middle.headerFields[.contentRange] == "bytes 3-6/10")
            #expect(await edge.script.count("/p") == 2)
        }
        // Another validator: the parts are of different representations and are not combined.
        try await withEdge(script: await Self.partialOrigin()) { edge in
            _ = try await edge.get("/p", [.range: "bytes=0-4"])
            await edge.script.setVersion(2)
            await edge.script.set("Content-Range", "bytes 5-9/10")
            await edge.script.setBody("abcde")
            _ = try await edge.get("/p", [.range: "bytes=5-9"])
            let whole = try await edge.get("/p")
            #expect(whole.status == .partialContent, "still a part, so the whole response went upstream")
            #expect(await edge.script.count("/p") == 3)
        }
    }

    @Test("RFC 9111 §4.1: equivalent Accept-Language values share one stored response")
    func varyNormalised() async throws {
        try await withEdge { edge in
            await edge.script.set("Vary", "Accept-Language")
            _ = try await edge.get("/v", [.acceptLanguage: "en-US, fr;q=0.5"])
            let same = try await edge.get("/v", [.acceptLanguage: "fr; q=0.50,EN-us"])
            #expect(same.cacheStatus.contains("hit"))
            let other = try await edge.get("/v", [.acceptLanguage: "de"])
            #expect(other.cacheStatus.contains("fwd=miss"))
            #expect(await edge.script.count("/v") == 2)
        }
    }
}
