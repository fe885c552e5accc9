import Foundation
import HTTPTypes
import ManifestHTTP
import Testing

@testable import ManifestEdge

/// RFC 9111 and RFC 9110 clause by clause, without sockets: request, stored response, time,
/// expected outcome.
@Suite("Cache rules by RFC clause")
struct CacheRulesTests {
    static let received = Date(timeIntervalSince1970: 1_800_000_000)  // Fri, 15 Jan 2027 08:00:00 GMT

    static func fields(_ pairs: [(String, String)]) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in pairs { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        return fields
    }

    static func lifetime(_ pairs: [(String, String)], status: HTTPResponse.Status = .ok) -> TimeInterval {
        let fields = fields(pairs)
        return Freshness.lifetime(
            status: status, directives: CacheDirectives(fields), fields: fields,
            date: fields[.date].flatMap(HTTPDate.parse), received: received)
    }

    @Test("RFC 9111 §4.2.1: an Expires that is not an HTTP-date means already expired")
    func invalidExpires() {
        #expect(Self.lifetime([("Expires", "0")]) == 0)
        #expect(Self.lifetime([("Expires", "tomorrow"), ("Last-Modified", "Fri, 15 Jan 2027 07:00:00 GMT")]) == 0)
    }

    @Test("RFC 9111 §4.2.1: an invalid Date does not make a valid Expires unusable")
    func invalidDate() {
        #expect(Self.lifetime([("Date", "yesterday"), ("Expires", "Fri, 15 Jan 2027 08:10:00 GMT")]) == 600)
    }

    @Test("RFC 9110 §5.6.7: Expires in the obsolete RFC 850 and asctime forms")
    func obsoleteDates() {
        #expect(
            Self.lifetime([("Date", "Friday, 15-Jan-27 08:00:00 GMT"), ("Expires", "Fri Jan 15 08:05:00 2027")]) == 300)
    }

    @Test("RFC 9111 §4.2.2: heuristic freshness is a tenth of the time since Last-Modified, capped at a day")
    func heuristic() {
        #expect(Self.lifetime([("Last-Modified", "Fri, 15 Jan 2027 07:00:00 GMT")]) == 360)
        #expect(Self.lifetime([("Last-Modified", "Fri, 01 Jan 2027 00:00:00 GMT")]) == 86_400)
        #expect(Self.lifetime([("Last-Modified", "Fri, 15 Jan 2027 07:00:00 GMT")], status: .found) == 0)
        #expect(
            Self.lifetime(
                [("Last-Modified", "Fri, 15 Jan 2027 07:00:00 GMT"), ("Cache-Control", "public")], status: .found)
                == 360)
        #expect(
            Self.lifetime([("Last-Modified", "Fri, 15 Jan 2027 07:00:00 GMT"), ("Cache-Control", "max-age=5")]) == 5)
    }

    @Test(
        "RFC 9111 §1.2.2 and §4.2.1: invalid arguments are stale, duplicates keep the smaller, large values are 2^31",
        arguments: [
            ("max-age=abc", 0.0), ("max-age=1.5", 0), ("max-age", 0), ("max-age=\"60\"", 60),
            ("max-age=60, max-age=30", 30), ("s-maxage=x, max-age=60", 0),
            ("max-age=99999999999999999999", 2_147_483_648),
        ])
    func directiveArguments(_ cacheControl: String, _ expected: TimeInterval) {
        #expect(Self.lifetime([("Cache-Control", cacheControl)]) == expected)
    }

    @Test(
        "RFC 9213 / RFC 8941: CDN-Cache-Control is a dictionary; an invalid one is ignored as a whole",
        arguments: [
            ("max-age=600", 600.0), ("max-age=600, stale-while-revalidate=60", 600), ("no-store, max-age=5", 5),
            ("max-age=\"600\"", 0), ("max-age=60;a=1", 60), ("max-age=6 0", 30), ("MAX-AGE=600", 30), ("max-age=-1", 0),
        ])
    func targeted(_ value: String, _ expected: TimeInterval) {
        // Cache-Control says 30 s: what applies when CDN-Cache-Control is not a valid dictionary.
        #expect(Self.lifetime([("CDN-Cache-Control", value), ("Cache-Control", "max-age=30")]) == expected)
    }

    @Test(
        "RFC 9111 §5.1: Age is a non-negative integer; a list counts as its largest; anything else is too old",
        arguments: [
            ("10", 10.0), ("10, 20", 20), ("0", 0), ("-1", Freshness.unreadableAge), ("1.5", Freshness.unreadableAge),
            ("abc", Freshness.unreadableAge), ("", Freshness.unreadableAge),
        ])
    func age(_ value: String, _ expected: TimeInterval) {
        #expect(Freshness.initialAge(Self.fields([("Age", value)])) == expected)
    }

    struct StoreCase: Sendable, CustomTestStringConvertible {
        var status: Int
        var response: [(String, String)]
        var authorized = false
        var stored: Bool
        var testDescription: String {
            "\(status) \(response.map { "\($0.0): \($0.1)" }.joined(separator: "; "))\(authorized ? " (authorized)" : "")"
        }
    }

    @Test(
        "RFC 9111 §3, §3.5, §5.2.2.3: what a shared cache may store",
        arguments: [
            StoreCase(status: 200, response: [], stored: true),
            StoreCase(status: 500, response: [], stored: false),
            StoreCase(status: 500, response: [("Cache-Control", "max-age=60")], stored: true),
            StoreCase(status: 302, response: [], stored: false),
            StoreCase(status: 302, response: [("Cache-Control", "public")], stored: true),
            StoreCase(status: 200, response: [("Cache-Control", "private, max-age=60")], stored: false),
            StoreCase(status: 200, response: [("Cache-Control", "no-store")], stored: false),
            StoreCase(
                status: 200, response: [("Cache-Control", "must-understand, no-store, max-age=60")], stored: true),
            StoreCase(
                status: 299, response: [("Cache-Control", "must-understand, no-store, max-age=60")], stored: false),
            StoreCase(status: 200, response: [("Cache-Control", "max-age=60")], authorized: true, stored: false),
            StoreCase(status: 200, response: [("Cache-Control", "public, max-age=60")], authorized: true, stored: true),
            StoreCase(status: 200, response: [("Cache-Control", "s-maxage=60")], authorized: true, stored: true),
            StoreCase(
                status: 200, response: [("Cache-Control", "must-revalidate, max-age=60")], authorized: true,
                stored: true),
            StoreCase(status: 200, response: [("Vary", "*")], stored: false),
            StoreCase(status: 206, response: [("Cache-Control", "max-age=60")], stored: false),
            StoreCase(
                status: 206, response: [("Cache-Control", "max-age=60"), ("Content-Range", "bytes 0-4/10")],
                stored: true),
            StoreCase(
                status: 206, response: [("Cache-Control", "max-age=60"), ("Content-Range", "bytes 0-4/*")],
                stored: false),
        ])
    func storing(_ row: StoreCase) {
        let fields = Self.fields(row.response)
        var request = EdgeRequest(target: "/r")
        if row.authorized { request.headerFields[.authorization] = "Bearer x" }
        let status = HTTPResponse.Status(code: row.status)
        #expect(Freshness.mayStore(status, CacheDirectives(fields), fields, request: request) == row.stored)
    }

    @Test(
        "RFC 9110 §14.1.2: byte ranges of a 10-byte body",
        arguments: [
            ("bytes=0-4", ByteRange.partial(0..<5)), ("bytes=5-", .partial(5..<10)), ("bytes=-3", .partial(7..<10)),
            ("bytes=8-20", .partial(8..<10)), ("bytes=-20", .partial(0..<10)), ("bytes=10-", .unsatisfiable),
            ("bytes=-0", .unsatisfiable), ("bytes=4-2", .whole), ("bytes=0-1,4-5", .whole), ("items=0-1", .whole),
            ("bytes=a-b", .whole), ("BYTES=1-1", .partial(1..<2)),
        ])
    func ranges(_ value: String, _ expected: ByteRange) {
        #expect(ByteRange.requested([.range: value], length: 10, entityTag: nil, lastModified: nil) == expected)
    }

    @Test("RFC 9110 §13.1.5: If-Range needs a strong entity-tag match or the exact Last-Modified")
    func ifRange() {
        let modified = "Fri, 15 Jan 2027 07:00:00 GMT"
        func range(_ condition: String) -> ByteRange {
            ByteRange.requested(
                [.range: "bytes=0-1", .ifRange: condition], length: 10, entityTag: "\"v1\"", lastModified: modified)
        }
        #expect(range("\"v1\"") == .partial(0..<2))
        #expect(range("\"v2\"") == .whole)
        #expect(range("W/\"v1\"") == .whole)
        #expect(range(modified) == .partial(0..<2))
        #expect(range("Fri, 15 Jan 2027 07:00:01 GMT") == .whole)
    }

    @Test(
        "RFC 9111 §4.1: selecting fields are compared after normalisation",
        arguments: [
            ("Accept-Language", "en-US, fr;q=0.5", "fr; q=0.50,en-us", true),
            ("Accept-Language", "en, fr", "fr,en", true),
            ("Accept-Language", "en;q=0.9", "en", false),
            ("Accept-Encoding", "gzip,  br", "BR, gzip", true),
            ("Accept-Encoding", "gzip", "identity", false),
            ("X-Custom", "a,  b", "a,b", true),
            ("X-Custom", "a, b", "b, a", false),
        ])
    func vary(_ name: String, _ first: String, _ second: String, _ equivalent: Bool) {
        let field = HTTPField.Name(name)!
        #expect((VaryKey.normalized([first], of: field) == VaryKey.normalized([second], of: field)) == equivalent)
    }

    @Test("backing off a failing upstream: open after the threshold, one probe per backoff, closed by a success")
    func breaker() {
        var breaker = UpstreamBreaker(threshold: 3, backoff: .seconds(1))
        let start = Self.received
        func at(_ seconds: TimeInterval) -> Date { start.addingTimeInterval(seconds) }
        var allowed: [Bool] = []
        var transitions: [UpstreamBreaker.Transition?] = []
        transitions.append(breaker.record(success: false, at: at(0)))
        transitions.append(breaker.record(success: false, at: at(0)))
        allowed.append(breaker.allows(at: at(0)))
        transitions.append(breaker.record(success: false, at: at(0)))
        allowed.append(breaker.allows(at: at(0.5)))  // open
        allowed.append(breaker.allows(at: at(1)))  // the probe
        allowed.append(breaker.allows(at: at(1.1)))  // others wait for it
        transitions.append(breaker.record(success: false, at: at(1.2)))  // the probe failed: open again
        allowed.append(breaker.allows(at: at(2)))
        allowed.append(breaker.allows(at: at(2.2)))  // the next probe
        transitions.append(breaker.record(success: true, at: at(2.3)))
        allowed.append(breaker.allows(at: at(2.3)))
        #expect(allowed == [true, false, true, false, false, true, true])
        #expect(transitions == [nil, nil, .opened, nil, .closed])
    }

}
