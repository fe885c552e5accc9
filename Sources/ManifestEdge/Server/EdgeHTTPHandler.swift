import HTTPTypes
import NIOCore
import NIOHTTP1

/// One HTTP/1.1 connection: collects a request, answers it, and keeps the connection for the
/// next (HTTP/2 has `EdgeHTTP2Handler`).
///
/// Transport rules that the responder never sees: an HTTP/1.1 request without exactly one
/// `Host` gets 400 and the connection closes (RFC 9112 §3.2); after NIO's 400 for a request it
/// cannot parse the connection closes; a client that shut its write side after its request
/// still gets the answer, then the connection closes.
final class EdgeHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let server: EdgeResponder
    /// The encoder that takes the heads this handler serialises.
    private let encoder: HTTP1ResponseEncoder
    private var head: HTTPRequestHead?
    /// The request content so far (forwarded with unsafe methods), and whether it grew too large.
    private var body = ByteBuffer()
    private var bodyTooLarge = false
    /// A request is being answered (possibly in a task).
    private var answering = false
    /// The client closed its side: close once the answer in progress is written.
    private var inputClosed = false

    /// The most request content the edge forwards with an unsafe method; more gets 413.
    static let maxBodyBytes = 1 << 20

    init(server: EdgeResponder, encoder: HTTP1ResponseEncoder) {
        self.server = server
        self.encoder = encoder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
            bodyTooLarge = false
        case .body(var part):
            if body.readableBytes + part.readableBytes > Self.maxBodyBytes {
                bodyTooLarge = true
            } else {
                body.writeBuffer(&part)
            }
        case .end:
            guard let head = self.head else { return }
            self.head = nil
            answer(head, context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case ChannelEvent.inputClosed = event else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        inputClosed = true
        if !answering { context.close(promise: nil) }
    }

    /// NIO's error handler has answered 400 for a request it could not parse; nothing more can be
    /// read from this connection, so close it rather than leave it open.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func answer(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        answering = true
        let isHead = head.method == .HEAD
        if let refusal = Self.hostRefusal(head) {
            write(refusal, keepAlive: false, isHead: isHead, context: context)
            return
        }
        if bodyTooLarge {
            write(Self.contentTooLarge(), keepAlive: false, isHead: isHead, context: context)
            return
        }
        let request = Self.request(from: head, body: body)
        let keepAlive = head.isKeepAlive
        let toSurrogate = SurrogateKeys.wanted(by: request.headerFields)
        server.answer(request, on: context.eventLoop) { answer, _ in
            self.write(answer, keepAlive: keepAlive, isHead: isHead, toSurrogate: toSurrogate, context: context)
        }
    }

    /// The 413 for request content over `maxBodyBytes`, over either protocol.
    static func contentTooLarge() -> EdgeResponse {
        EdgeResponses.error(.contentTooLarge, "the request content is larger than \(maxBodyBytes) bytes")
    }

    /// RFC 9112 §3.2: an HTTP/1.1 request without `Host`, or with more than one, is a 400.
    static func hostRefusal(_ head: HTTPRequestHead) -> EdgeResponse? {
        let hosts = head.headers["host"].count
        let atLeast11 = head.version.major > 1 || (head.version.major == 1 && head.version.minor >= 1)
        guard hosts > 1 || (hosts == 0 && atLeast11) else { return nil }
        return EdgeResponder.badRequest(
            hosts == 0 ? "an HTTP/1.1 request needs a Host header field" : "more than one Host header field")
    }

    /// Writes an answer, framed by `Content-Length`; the answer to a `HEAD` has the fields of a
    /// `GET` and no body (RFC 9110 §9.3.2). Over HTTP/1.1 the encoder takes the head as bytes,
    /// with a stored representation's content in the same buffer; otherwise the content follows
    /// as a body part.
    private func write(
        _ answer: EdgeResponse, keepAlive: Bool, isHead: Bool, toSurrogate: Bool = false,
        context: ChannelHandlerContext
    ) {
        answering = false
        let keepAlive = keepAlive && !inputClosed
        let status = HTTPResponseStatus(statusCode: answer.status.code)
        // A stored representation's content goes out in the buffer of its head.
        let content = isHead ? nil : answer.preparedContent
        let bytes = Self.http1Head(
            of: answer, toSurrogate: toSurrogate, room: content?.count ?? 0, allocator: context.channel.allocator)
        encoder.stage(bytes, content: content)
        let head = HTTPResponseHead(
            version: .http1_1, status: status, headers: keepAlive ? [:] : ["connection": "close"])
        let body = isHead || content != nil ? nil : answer.body
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body, body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// The status line and fields of an HTTP/1.1 answer: the head the cache prepared (a
    /// browser's), or one made from the answer's fields, and then the fields this answer adds;
    /// in a buffer with `room` bytes to spare for the content.
    private static func http1Head(
        of answer: EdgeResponse, toSurrogate: Bool, room: Int, allocator: ByteBufferAllocator
    ) -> ByteBuffer {
        var bytes = allocator.buffer(capacity: (answer.preparedHead?.count ?? 512) + 128 + room)
        if let prepared = answer.preparedHead, !toSurrogate {
            bytes.writeBytes(prepared.shared)
            bytes.writeBytes(prepared.own)
        } else {
            let stored = answer.storedFields
            bytes.writeStatusLine(answer.status)
            for field in stored
            where field.name != .contentLength && SurrogateKeys.sends(field.name, toSurrogate: toSurrogate) {
                bytes.writeField(field)
            }
            let length = HTTP1Head.contentLength(
                status: answer.status, bodyLength: answer.body.readableBytes, stored: stored[.contentLength])
            if let length { bytes.writeField(HTTPField(name: .contentLength, value: length)) }
        }
        for field in answer.addedFields { bytes.writeField(field) }
        return bytes
    }

    private static func request(from head: HTTPRequestHead, body: ByteBuffer) -> EdgeRequest {
        var fields = HTTPFields()
        fields.reserveCapacity(head.headers.count)
        for (name, value) in head.headers {
            guard let name = HTTPField.Name(name) else { continue }
            fields.append(HTTPField(name: name, value: value))
        }
        return EdgeRequest(
            method: HTTPRequest.Method(head.method.rawValue) ?? .get, target: head.uri, headerFields: fields,
            body: body)
    }
}
