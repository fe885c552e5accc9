import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import ManifestEdge

/// The HTTP/1.1 heads the edge writes (RFC 9112 §4, §5, §6.3), and its response encoder, on an
/// embedded channel: no sockets.
@Suite("HTTP/1.1 heads and the response encoder")
struct HTTP1EncodingTests {
    static let fields: HTTPFields = [.contentType: "application/json", .eTag: "\"v7\"", .contentLength: "999"]

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test("a prepared head: the status line and shared fields, then the own ones with the content's own length")
    func prepared() {
        #expect(
            Self.text(HTTP1Head.shared(status: .ok, fields: Self.fields))
                == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
        #expect(
            Self.text(HTTP1Head.own(status: .ok, fields: Self.fields, contentLength: 12))
                == "ETag: \"v7\"\r\nContent-Length: 12\r\n")
        let other = HTTP1Head.shared(status: .init(code: 599, reasonPhrase: "Network Timeout"), fields: [:])
        #expect(Self.text(other) == "HTTP/1.1 599 Network Timeout\r\n")
    }

    struct LengthCase: Sendable, CustomTestStringConvertible {
        var status: Int
        var bodyLength: Int
        var stored: String?
        var expected: String?
        var testDescription: String { "\(status), \(bodyLength) bytes, stored \(stored ?? "none")" }
    }

    @Test(
        "RFC 9110 §8.6 / RFC 9112 §6.3: Content-Length for a body, a HEAD, no content, and none for 1xx, 204, 304",
        arguments: [
            LengthCase(status: 200, bodyLength: 12, stored: "999", expected: "12"),
            LengthCase(status: 200, bodyLength: 0, stored: "12", expected: "12"),
            LengthCase(status: 404, bodyLength: 0, stored: nil, expected: "0"),
            LengthCase(status: 204, bodyLength: 0, stored: "0", expected: nil),
            LengthCase(status: 304, bodyLength: 0, stored: "12", expected: nil),
            LengthCase(status: 103, bodyLength: 0, stored: nil, expected: nil),
        ])
    func contentLength(_ test: LengthCase) {
        let status = HTTPResponse.Status(code: test.status)
        #expect(
            HTTP1Head.contentLength(status: status, bodyLength: test.bodyLength, stored: test.stored) == test.expected)
        let own = Self.text(HTTP1Head.own(status: status, fields: [:], contentLength: 3))
        #expect(own.contains("Content-Length: 3") == (test.expected != nil))
    }

    @Test(
        "a staged head goes out as it is, the part's own fields after it, then staged content or body parts; an unstaged one from its fields"
    )
    func encoder() async throws {
        let encoder = HTTP1ResponseEncoder()
        let channel = EmbeddedChannel(handler: encoder)
        var staged = ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n")
        encoder.stage(staged, content: Array("{}".utf8))
        staged.clear()  // the encoder holds its own copy
        try channel.writeOutbound(
            HTTPServerResponsePart.head(.init(version: .http1_1, status: .ok, headers: ["connection": "close"])))
        let ended = channel.eventLoop.makePromise(of: Void.self)
        channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: ended)
        encoder.stage(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"), content: nil)
        try channel.writeOutbound(HTTPServerResponsePart.head(.init(version: .http1_1, status: .ok)))
        try channel.writeOutbound(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: "[]"))))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        try channel.writeOutbound(
            HTTPServerResponsePart.head(.init(version: .http1_1, status: .badRequest, headers: ["content-length": "0"]))
        )
        var written = ""
        while let part = try channel.readOutbound(as: IOData.self) {
            guard case .byteBuffer(let bytes) = part else { continue }
            written += String(buffer: bytes)
        }
        #expect(
            written == "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nconnection: close\r\n\r\n{}"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]"
                + "HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
        await confirmation("the end's promise is kept") { kept in ended.futureResult.whenSuccess { kept() } }
        _ = try channel.finish()
    }
}
