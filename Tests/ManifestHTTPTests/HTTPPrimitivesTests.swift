import Foundation
import HTTPTypes
import Testing

@testable import ManifestHTTP

/// The HTTP building blocks on their own: no sockets, one table per rule.
@Suite("HTTP primitives")
struct HTTPPrimitivesTests {
    struct DirectiveCase: Sendable, CustomTestStringConvertible {
        var cacheControl: String?
        var cdnCacheControl: String?
        var maxAge: Int?
        var sharedMaxAge: Int?
        var storable: Bool
        var targeted: Bool
        var testDescription: String {
            "Cache-Control: \(cacheControl ?? "-"), CDN-Cache-Control: \(cdnCacheControl ?? "-")"
        }
    }

    @Test(
        "RFC 9111 §5.2 and RFC 9213: directives, and CDN-Cache-Control taking precedence",
        arguments: [
            DirectiveCase(cacheControl: "public, max-age=60", maxAge: 60, storable: true, targeted: false),
            DirectiveCase(
                cacheControl: "max-age=60, s-maxage=600", maxAge: 60, sharedMaxAge: 600, storable: true, targeted: false
            ),
            DirectiveCase(cacheControl: "MAX-AGE=\"30\"", maxAge: 30, storable: true, targeted: false),
            DirectiveCase(cacheControl: "max-age=-5", maxAge: nil, storable: true, targeted: false),
            DirectiveCase(cacheControl: "max-age=abc", maxAge: nil, storable: true, targeted: false),
            DirectiveCase(cacheControl: "no-store", storable: false, targeted: false),
            DirectiveCase(cacheControl: "private, max-age=60", maxAge: 60, storable: false, targeted: false),
            DirectiveCase(
                cacheControl: "max-age=60", cdnCacheControl: "max-age=1800", maxAge: 1800, storable: true,
                targeted: true),
            DirectiveCase(
                cacheControl: "no-store", cdnCacheControl: "max-age=10", maxAge: 10, storable: true, targeted: true),
        ])
    func directives(_ row: DirectiveCase) {
        var fields = HTTPFields()
        if let value = row.cacheControl { fields[.cacheControl] = value }
        if let value = row.cdnCacheControl { fields[.cdnCacheControl] = value }
        let directives = CacheDirectives(fields)
        #expect(directives.maxAge == row.maxAge)
        #expect(directives.sharedMaxAge == row.sharedMaxAge)
        #expect(directives.isStorable == row.storable)
        #expect(directives.targeted == row.targeted)
    }

    @Test("RFC 5861: stale-while-revalidate and stale-if-error windows; must-revalidate and no-cache")
    func staleDirectives() {
        let directives = CacheDirectives(
            parsing: "max-age=1800, stale-while-revalidate=60, stale-if-error=86400, must-revalidate, no-cache")
        #expect(directives.staleWhileRevalidate == 60)
        #expect(directives.staleIfError == 86_400)
        #expect(directives.mustRevalidate)
        #expect(directives.noCache)
        #expect(CacheDirectives(parsing: "proxy-revalidate").mustRevalidate)
    }

    @Test(
        "RFC 9110 §13.1.2: If-None-Match uses the weak comparison, lists and *",
        arguments: [
            (#""v1""#, #""v1""#, true),
            (#"W/"v1""#, #""v1""#, true),
            (#""v1""#, #"W/"v1""#, true),
            (#""v0", "v1""#, #""v1""#, true),
            (#""v0","v2""#, #""v1""#, false),
            ("*", #""v1""#, true),
            (#""a,b", "c""#, #""a,b""#, true),
            (#""v1""#, #""v10""#, false),
        ])
    func ifNoneMatch(_ header: String, _ current: String, _ matches: Bool) {
        #expect(EntityTag.ifNoneMatch(header, matches: current) == matches)
    }

    @Test("If-None-Match never matches a response without an ETag")
    func noTag() {
        #expect(!EntityTag.ifNoneMatch("*", matches: nil))
    }

    @Test("RFC 9110 §5.6.7: IMF-fixdate is written and read back")
    func dates() throws {
        let date = Date(timeIntervalSince1970: 784_111_777)
        #expect(HTTPDate.format(date) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == date)
        #expect(
            HTTPDate.parse(HTTPDate.format(Date(timeIntervalSince1970: 1_800_000_000)))
                == Date(timeIntervalSince1970: 1_800_000_000))
        // Found by the fuzzer: years before 1000 are written with four digits, and read back.
        let early = try #require(HTTPDate.parse("Sun, 06 Nov 0995 08:49:37 GMT"))
        #expect(HTTPDate.format(early).hasSuffix(", 06 Nov 0995 08:49:37 GMT"))
        #expect(HTTPDate.parse(HTTPDate.format(early)) == early)
    }

    @Test(
        "malformed dates are not dates",
        arguments: [
            "", "yesterday", "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49 GMT", "Mon, 99 Feb 99999 25:61:61 GMT", "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov -994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:99999999999999999999 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994  08:49:37 GMT", "Xyz, 06 Nov 1994 08:49:37 GMT",
        ])
    func badDates(_ value: String) {
        #expect(HTTPDate.parse(value) == nil)
    }

    @Test("RFC 9110 §7.6.1: Connection, the fields it names and the hop-by-hop fields are removed")
    func hopByHop() {
        let fields: HTTPFields = [
            .connection: "close, X-Secret", HTTPField.Name("X-Secret")!: "1", .transferEncoding: "chunked",
            HTTPField.Name("Keep-Alive")!: "timeout=5", .te: "trailers", .upgrade: "h2c",
            .contentType: "application/json",
            .proxyAuthorization: "Basic x",
        ]
        let kept = fields.removingHopByHop()
        #expect(kept.map(\.name) == [.contentType])
    }

    @Test(
        "the invalidation stream's wait is clamped and defaults to 20 s",
        arguments: [
            (nil, 20), ("5", 5), ("-1", 0), ("600", 30), ("soon", 20),
        ] as [(String?, Int)])
    func eventWait(_ parameter: String?, _ seconds: Int) {
        #expect(EventBatch.wait(parameter) == .seconds(seconds))
    }

    @Test("an event batch encodes with sorted keys, and reset only when set")
    func eventBatch() throws {
        let plain = String(decoding: EventBatch(events: [], last: 7).encoded(), as: UTF8.self)
        #expect(plain == #"{"events":[],"last":7}"#)
        let reset = String(decoding: EventBatch(events: [], last: 7, reset: true).encoded(), as: UTF8.self)
        #expect(reset == #"{"events":[],"last":7,"reset":true}"#)
    }

    @Test("error bodies are JSON even when the message has quotes")
    func errorBody() throws {
        let body = ErrorBody(error: #"the "key" is \ wrong"#, status: 400).encoded()
        let decoded = try JSONSerialization.jsonObject(with: body) as? [String: Any]
        #expect(decoded?["error"] as? String == #"the "key" is \ wrong"#)
        #expect(decoded?["status"] as? Int == 400)
    }
}
