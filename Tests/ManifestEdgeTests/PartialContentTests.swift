import Foundation
import HTTPTypes
import NIOCore
import Testing

@testable import ManifestEdge

/// Stored partial content (RFC 9111 §3.3, §3.4): reading `Content-Range`, joining parts, and
/// which requests a part may answer. No sockets.
@Suite("Partial content")
struct PartialContentTests {
    @Test(
        "RFC 9110 §14.4: a single-part Content-Range with a known complete length, matching the content",
        arguments: [
            ("bytes 0-4/10", 5, PartialContent(range: 0..<5, completeLength: 10)),
            ("bytes 5-9/10", 5, PartialContent(range: 5..<10, completeLength: 10)),
            ("bytes 0-4/*", 5, nil),
            ("bytes 0-4/10", 4, nil),
            ("bytes 4-0/10", 5, nil),
            ("bytes 5-10/10", 6, nil),
            ("0-4/10", 5, nil),
            ("bytes */10", 0, nil),
        ] as [(String, Int, PartialContent?)])
    func contentRange(value: String, length: Int, expected: PartialContent?) {
        #expect(PartialContent(contentRange: value, length: length) == expected)
    }

    @Test("parts that overlap or touch are joined, the newer bytes winning; a gap is not bridged")
    func join() throws {
        let first = (PartialContent(range: 0..<4, completeLength: 10), Array("0123".utf8))
        let second = (PartialContent(range: 3..<6, completeLength: 10), Array("XYZ".utf8))
        let joined = try #require(PartialContent.join(second, first))
        #expect(joined.part == PartialContent(range: 0..<6, completeLength: 10))
        #expect(String(decoding: joined.bytes, as: UTF8.self) == "012XYZ")
        let touching = (PartialContent(range: 4..<6, completeLength: 10), Array("45".utf8))
        #expect(PartialContent.join(touching, first)?.part.range == 0..<6)
        let apart = (PartialContent(range: 5..<6, completeLength: 10), Array("5".utf8))
        #expect(PartialContent.join(apart, first) == nil)
        let otherLength = (PartialContent(range: 4..<6, completeLength: 11), Array("45".utf8))
        #expect(PartialContent.join(otherLength, first) == nil)
    }

    static func part(_ range: String, _ body: String, tag: String = "\"a\"") -> CacheEntry {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        return CacheEntry(
            status: .partialContent, headerFields: [.contentRange: range, .eTag: tag, .cacheControl: "max-age=60"],
            body: ByteBuffer(string: body), requestTime: now, responseTime: now)
    }

    @Test("RFC 9111 §3.3: a part answers only a single range it holds")
    func answers() {
        let entry = Self.part("bytes 2-5/10", "2345")
        #expect(entry.answers([.range: "bytes=2-5"]))
        #expect(entry.answers([.range: "bytes=3-4"]))
        #expect(!entry.answers([.range: "bytes=1-4"]))
        #expect(!entry.answers([.range: "bytes=-2"]))
        #expect(!entry.answers([:]))
        #expect(!entry.answers([.range: "bytes=2-3", .ifRange: "\"b\""]))
    }

    @Test("RFC 9111 §3.4: the same strong validator combines, into a 200 once complete; weak or other tags do not")
    func combined() throws {
        let head = Self.part("bytes 0-4/10", "01234")
        let tail = Self.part("bytes 5-9/10", "56789")
        let whole = try #require(tail.combined(with: head))
        #expect(whole.status == .ok)
        #expect(whole.partial == nil)
        #expect(String(decoding: whole.identityContent, as: UTF8.self) == "0123456789")
        #expect(whole.headerFields[.contentRange] == nil)
        #expect(whole.headerFields[.contentLength] == "10")
        let middle = Self.part("bytes 5-6/10", "56")
        let grown = try #require(middle.combined(with: head))
        #expect(grown.status == .partialContent)
        #expect(grown.partial == PartialContent(range: 0..<7, completeLength: 10))
        #expect(grown.headerFields[.contentRange] == "bytes 0-6/10")
        #expect(Self.part("bytes 5-9/10", "56789", tag: "\"b\"").combined(with: head) == nil)
        #expect(
            Self.part("bytes 5-9/10", "56789", tag: "W/\"a\"").combined(
                with: Self.part("bytes 0-4/10", "01234", tag: "W/\"a\"")) == nil)
    }
}
