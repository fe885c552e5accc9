import Foundation
import HTTPTypes
import ManifestHTTP
import NIOCore
import Testing

@testable import ManifestEdge

/// Freshness and age arithmetic of one stored response, and the LRU store: no sockets.
@Suite("Cache entries and the LRU store")
struct CacheEntryTests {
    static let received = Date(timeIntervalSince1970: 1_800_000_000)

    static func entry(_ fields: HTTPFields, requested: TimeInterval = 0) -> CacheEntry {
        CacheEntry(
            status: .ok, headerFields: fields, body: ByteBuffer(string: "{}"),
            requestTime: received.addingTimeInterval(-requested), responseTime: received)
    }

    struct FreshnessCase: Sendable, CustomTestStringConvertible {
        var fields: [(String, String)]
        var lifetime: TimeInterval
        var testDescription: String { fields.map { "\($0.0): \($0.1)" }.joined(separator: "; ") }
    }

    @Test(
        "RFC 9111 §4.2.1: the freshness lifetime, s-maxage first, then max-age, then Expires",
        arguments: [
            FreshnessCase(fields: [("Cache-Control", "max-age=60")], lifetime: 60),
            FreshnessCase(fields: [("Cache-Control", "max-age=60, s-maxage=600")], lifetime: 600),
            FreshnessCase(
                fields: [("Cache-Control", "max-age=60"), ("CDN-Cache-Control", "max-age=1800")], lifetime: 1800),
            FreshnessCase(
                fields: [("Date", "Fri, 15 Jan 2027 08:00:00 GMT"), ("Expires", "Fri, 15 Jan 2027 08:05:00 GMT")],
                lifetime: 300),
            FreshnessCase(
                fields: [("Date", "Fri, 15 Jan 2027 08:05:00 GMT"), ("Expires", "Fri, 15 Jan 2027 08:00:00 GMT")],
                lifetime: 0),
            FreshnessCase(fields: [("Content-Type", "application/json")], lifetime: 0),
        ])
    func lifetime(_ row: FreshnessCase) {
        var fields = HTTPFields()
        for (name, value) in row.fields { fields[HTTPField.Name(name)!] = value }
        #expect(Self.entry(fields).freshnessLifetime == row.lifetime)
    }

    @Test("RFC 9111 §4.2.3: age is the Age received, plus the response delay, plus the time held")
    func age() {
        let entry = Self.entry([.cacheControl: "max-age=100", .age: "10"], requested: 2)
        #expect(entry.currentAge(at: Self.received) == 12)
        #expect(entry.currentAge(at: Self.received.addingTimeInterval(30)) == 42)
        #expect(entry.timeToLive(at: Self.received.addingTimeInterval(30)) == 58)
        #expect(entry.isFresh(at: Self.received.addingTimeInterval(87)))
        #expect(!entry.isFresh(at: Self.received.addingTimeInterval(88)))
    }

    @Test("RFC 5861: the stale windows, closed by must-revalidate; a soft purge is stale but usable on error")
    func staleWindows() {
        let entry = Self.entry([.cacheControl: "max-age=10, stale-while-revalidate=5, stale-if-error=60"])
        #expect(entry.mayServeWhileRevalidating(at: Self.received.addingTimeInterval(15)))
        #expect(!entry.mayServeWhileRevalidating(at: Self.received.addingTimeInterval(16)))
        #expect(entry.mayServeOnError(at: Self.received.addingTimeInterval(70)))
        #expect(!entry.mayServeOnError(at: Self.received.addingTimeInterval(71)))

        let strict = Self.entry([
            .cacheControl: "max-age=10, stale-while-revalidate=5, stale-if-error=60, must-revalidate"
        ])
        #expect(!strict.mayServeWhileRevalidating(at: Self.received.addingTimeInterval(11)))
        #expect(!strict.mayServeOnError(at: Self.received.addingTimeInterval(11)))

        var purged = entry
        purged.softPurged = true
        #expect(!purged.isFresh(at: Self.received))
        #expect(!purged.mayServeWhileRevalidating(at: Self.received))
        #expect(purged.mayServeOnError(at: Self.received))
    }

    @Test("RFC 9111 §3.1: hop-by-hop fields and Age are not stored")
    func storedFields() {
        let entry = Self.entry([
            .cacheControl: "max-age=1", .age: "3", .connection: "close", .transferEncoding: "chunked",
        ])
        #expect(entry.headerFields.map(\.name) == [.cacheControl])
    }

    @Test("RFC 9111 §4.3.4: a 304 refreshes fields and times, and keeps the body")
    func refresh() {
        var entry = Self.entry([.cacheControl: "max-age=10", .eTag: "\"v1\""])
        let later = Self.received.addingTimeInterval(100)
        entry.refresh(
            with: [.cacheControl: "max-age=30", .eTag: "\"v1\"", .contentLength: "0"], requestTime: later,
            responseTime: later)
        #expect(entry.freshnessLifetime == 30)
        #expect(entry.isFresh(at: later.addingTimeInterval(29)))
        #expect(entry.identityContent.count == 2)
        #expect(entry.headerFields[.contentLength] == nil)
    }

    @Test("the LRU store evicts the least recently used to stay within its budget")
    func lru() {
        let store = LRUStore<Int>(budget: 30)
        #expect(store.set("a", 1, size: 10).isEmpty)
        #expect(store.set("b", 2, size: 10).isEmpty)
        #expect(store.set("c", 3, size: 10).isEmpty)
        #expect(store.get("a") == 1)
        #expect(store.set("d", 4, size: 10) == ["b"])
        #expect(store.peek("b") == nil)
        #expect(store.bytes == 30)
        // Larger than the whole budget: not stored, nothing evicted for it.
        #expect(store.set("big", 5, size: 100).isEmpty)
        #expect(store.peek("big") == nil)
        #expect(store.count == 3)
        #expect(store.remove("c") == 3)
        #expect(store.bytes == 20)
    }
}
