import HTTPTypes
import NIOCore
import NIOHTTP1

/// One HTTP/1.1 connection or one HTTP/2 stream: collects a request, answers it, and (HTTP/1.1)
/// keeps the connection for the next.
///
/// Transport rules that the responder never sees: an HTTP/1.1 request without exactly one
/// `Host` gets 400 and the connection closes (RFC 9112 §3.2); after NIO's 400 for a request it
/// cannot parse the connection closes; a client that shut its write side after its request
/// still gets the answer, then the connection closes.
final class EdgeHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let server: EdgeResponder
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

    init(server: EdgeResponder) {
        self.server = server
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
        if let refusal = Self.hostRefusal(head) {
            write(refusal, keepAlive: false, context: context)
            return
        }
        if bodyTooLarge {
            let refusal = EdgeResponses.error(
                .contentTooLarge, "the request content is larger than \(Self.maxBodyBytes) bytes")
            write(refusal, keepAlive: false, context: context)
            return
        }
        let request = Self.request(from: head, body: body)
        // An HTTP/2 stream ends with its response; the connection is not this handler's to close.
        let keepAlive = head.version.major >= 2 || head.isKeepAlive
        if let answer = server.immediateResponse(to: request) {
            write(answer, keepAlive: keepAlive, context: context)
            return
        }
        let server = self.server
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.makeFutureWithTask { await server.respond(to: request) }.whenSuccess { answer in
            let (handler, context) = bound.value
            handler.write(answer, keepAlive: keepAlive, context: context)
        }
    }

    /// RFC 9112 §3.2: an HTTP/1.1 request without `Host`, or with more than one, is a 400.
    static func hostRefusal(_ head: HTTPRequestHead) -> EdgeResponse? {
        let hosts = head.headers["host"].count
        let atLeast11 = head.version.major > 1 || (head.version.major == 1 && head.version.minor >= 1)
        guard hosts > 1 || (hosts == 0 && atLeast11) else { return nil }
        return EdgeResponder.badRequest(
            hosts == 0 ? "an HTTP/1.1 request needs a Host header field" : "more than one Host header field")
    }

    private func write(_ answer: EdgeResponse, keepAlive: Bool, context: ChannelHandlerContext) {
        answering = false
        let keepAlive = keepAlive && !inputClosed
        var headers = answer.wireFields ?? HTTPHeaders(answer.storedFields.map { ($0.name.rawName, $0.value) })
        for field in answer.addedFields { headers.add(name: field.name.rawName, value: field.value) }
        if answer.body.readableBytes > 0 || (!headers.contains(name: "content-length") && answer.status != .notModified)
        {
            headers.replaceOrAdd(name: "content-length", value: String(answer.body.readableBytes))
        }
        if !keepAlive { headers.replaceOrAdd(name: "connection", value: "close") }
        let head = HTTPResponseHead(
            version: .http1_1, status: HTTPResponseStatus(statusCode: answer.status.code), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if answer.body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(answer.body))), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
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
