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
        let resets = try written(channel).compactMap { frame -> HTTP2StreamID? in
            guard case .rstStream(.cancel) = frame.payload else { return nil }
            return frame.streamID
        }
        #expect(resets == [1])
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
