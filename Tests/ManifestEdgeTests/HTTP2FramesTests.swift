import HTTPTypes
import ManifestHTTP
import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import TestSupport
import Testing

@testable import ManifestEdge

/// `EdgeHTTP2Handler` on an `EmbeddedChannel`, frame by frame, with the embedded loop's clock:
/// what the per-stream channels used to do is now its own.
@Suite("HTTP/2 streams answered from their frames")
struct HTTP2FramesTests {
    let loop = EmbeddedEventLoop()

    func channel(bodyTimeout: Duration = .seconds(60)) throws -> EmbeddedChannel {
        let cache = EdgeCache(
            upstream: CurlUpstream(baseURL: "http://127.0.0.1:1", timeout: .seconds(1)),
            configuration: EdgeConfiguration(name: "frames"), logger: .test)
        let handler = EdgeHTTP2Handler(server: EdgeResponder(cache: cache, purgeToken: nil), bodyTimeout: bodyTimeout)
        return EmbeddedChannel(handler: handler, loop: loop)
    }

    func post(_ channel: EmbeddedChannel, stream: HTTP2StreamID) throws {
        let headers: HPACKHeaders = [":method": "POST", ":path": "/v1/x", ":scheme": "https", ":authority": "edge"]
        try channel.writeInbound(HTTP2Frame(streamID: stream, payload: .headers(.init(headers: headers))))
    }

    func data(_ channel: EmbeddedChannel, stream: HTTP2StreamID, bytes: Int, end: Bool = false) throws {
        let body = ByteBuffer(repeating: 0x61, count: bytes)
        try channel.writeInbound(
            HTTP2Frame(streamID: stream, payload: .data(.init(data: .byteBuffer(body), endStream: end))))
    }

    func written(_ channel: EmbeddedChannel) throws -> [HTTP2Frame] {
        var frames: [HTTP2Frame] = []
        while let frame = try channel.readOutbound(as: HTTP2Frame.self) { frames.append(frame) }
        return frames
    }

    /// The streams reset with `code` among the frames written.
    func resets(_ channel: EmbeddedChannel, _ code: NIOHTTP2.HTTP2ErrorCode) throws -> [HTTP2StreamID] {
        try written(channel).compactMap { frame in
            guard case .rstStream(let written) = frame.payload, written == code else { return nil }
            return frame.streamID
        }
    }

    @Test("a request from its header block: :authority as Host, cookie crumbs joined as HTTP/1.1 sends them")
    func request() throws {
        let headers: HPACKHeaders = [
            ":method": "GET", ":scheme": "https", ":authority": "edge.test", ":path": "/v1/projects/a/settings?x=1",
            "cookie": "a=1", "accept": "application/json", "cookie": "b=2",
        ]
        let request = try #require(EdgeHTTP2Handler.request(from: headers))
        #expect(request.method == .get)
        #expect(request.target == "/v1/projects/a/settings?x=1")
        #expect(request.headerFields[HTTPField.Name("Host")!] == "edge.test")
        #expect(request.headerFields[.cookie] == "a=1; b=2")
        #expect(request.headerFields[.accept] == "application/json")
        #expect(EdgeHTTP2Handler.request(from: [":method": "GET", ":scheme": "https"]) == nil, "no :path")
    }

    /// A GET's pseudo-header fields, then `extra`.
    static func get(_ extra: (String, String)...) -> [(String, String)] {
        [(":method", "GET"), (":scheme", "https"), (":authority", "edge"), (":path", "/v1/projects/a/settings")]
            + [("accept-encoding", "gzip"), ("te", "trailers")] + extra
    }

    @Test(
        "RFC 9113 §8.2, §8.3: a malformed request header block, each way, resets its stream with PROTOCOL_ERROR",
        arguments: [
            ("a well-formed block", get(), true),
            ("CONNECT with :authority only", [(":method", "CONNECT"), (":authority", "edge")], true),
            ("no :path", [(":method", "GET"), (":scheme", "https")], false),
            ("an empty :path", [(":method", "GET"), (":scheme", "https"), (":path", "")], false),
            ("a space in :path", [(":method", "GET"), (":scheme", "https"), (":path", "/a b")], false),
            ("no :scheme", [(":method", "GET"), (":path", "/")], false),
            ("a response's :status", [(":status", "200")] + get(), false),
            ("an unknown pseudo-header", [(":protocol", "websocket")] + get(), false),
            ("a duplicate :path", [(":path", "/b")] + get(), false),
            ("a pseudo-header after a regular field", get((":path", "/b")), false),
            ("an upper-case name", get(("Accept", "*/*")), false),
            ("a name that is not a token", get(("accept encoding", "gzip")), false),
            ("a connection-specific field", get(("connection", "keep-alive")), false),
            ("transfer-encoding", get(("transfer-encoding", "chunked")), false),
            ("te other than trailers", get(("te", "gzip")), false),
            ("CR LF in a value", get(("x-a", "1\r\nx-b: 2")), false),
            ("NUL in a value", get(("x-a", "1\u{0}")), false),
            ("CONNECT with :path", [(":method", "CONNECT"), (":authority", "edge"), (":path", "/")], false),
        ] as [(String, [(String, String)], Bool)])
    func malformed(_ what: String, _ fields: [(String, String)], _ accepted: Bool) throws {
        let headers = HPACKHeaders(fields)
        #expect(HTTP2RequestRules.isWellFormedRequest(headers) == accepted, "\(what)")
        let channel = try channel()
        try channel.writeInbound(HTTP2Frame(streamID: 1, payload: .headers(.init(headers: headers, endStream: true))))
        channel.pipeline.fireChannelReadComplete()
        #expect(try resets(channel, .protocolError) == (accepted ? [] : [1]), "\(what)")
    }

    @Test("trailers carry regular fields only: a pseudo-header or a connection-specific field resets the stream")
    func trailers() throws {
        #expect(HTTP2RequestRules.isWellFormedTrailers(["x-checksum": "abc"]))
        #expect(!HTTP2RequestRules.isWellFormedTrailers([":path": "/"]))
        #expect(!HTTP2RequestRules.isWellFormedTrailers(["connection": "close"]))
        let channel = try channel()
        try post(channel, stream: 1)
        try channel.writeInbound(
            HTTP2Frame(streamID: 1, payload: .headers(.init(headers: [":path": "/"], endStream: true))))
        #expect(try resets(channel, .protocolError) == [1])
    }

    @Test("request content reopens the connection's and the stream's windows by what it used")
    func windows() throws {
        let channel = try channel()
        try post(channel, stream: 1)
        try data(channel, stream: 1, bytes: 1000)
        let updates = try written(channel).compactMap { frame -> String? in
            guard case .windowUpdate(let increment) = frame.payload else { return nil }
            return "\(Int(frame.streamID)):\(increment)"
        }
        #expect(updates.sorted() == ["0:1000", "1:1000"])
    }

    @Test("a stream whose content stalls for the body timeout is reset; one the client reset is forgotten")
    func bodyTimeout() throws {
        let channel = try channel(bodyTimeout: .seconds(60))
        try post(channel, stream: 1)
        try post(channel, stream: 3)
        try channel.writeInbound(HTTP2Frame(streamID: 3, payload: .rstStream(.cancel)))
        _ = try written(channel)
        loop.advanceTime(by: .seconds(59))
        try data(channel, stream: 1, bytes: 10)
        _ = try written(channel)
        loop.advanceTime(by: .seconds(59))
        #expect(try written(channel).isEmpty, "content came 59 s ago: not stalled yet")
        loop.advanceTime(by: .seconds(2))
        #expect(try resets(channel, .cancel) == [1])
    }

    @Test("content past the limit is read through, then 413: a header block in lower case with :status first")
    func tooLarge() throws {
        let channel = try channel()
        try post(channel, stream: 1)
        try data(channel, stream: 1, bytes: EdgeHTTPHandler.maxBodyBytes)
        try data(channel, stream: 1, bytes: 1, end: true)
        channel.pipeline.fireChannelReadComplete()
        let frames = try written(channel).filter { $0.streamID == 1 }
        guard
            case .headers(let headers) = frames.first(where: { if case .headers = $0.payload { true } else { false } })?
                .payload
        else {
            Issue.record("no header block on stream 1")
            return
        }
        #expect(headers.headers.first?.name == ":status" && headers.headers.first?.value == "413")
        #expect(headers.headers.allSatisfy { $0.name == $0.name.lowercased() })
        let body = frames.compactMap { frame -> Int? in
            guard case .data(let data) = frame.payload, data.endStream else { return nil }
            return data.data.readableBytes
        }
        #expect(headers.headers.first(name: "content-length").flatMap(Int.init) == body.first)
    }
}
