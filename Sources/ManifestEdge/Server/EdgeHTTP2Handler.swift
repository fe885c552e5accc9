import HTTPTypes
import ManifestHTTP
import NIOCore
import NIOHPACK
import NIOHTTP2

/// One HTTP/2 connection: answers each stream's request from its frames, on the connection's
/// pipeline, with the same `EdgeResponder` as HTTP/1.1.
///
/// NIO's usual HTTP/2 server gives every stream a child channel of its own, and turns its frames
/// into HTTP/1 parts and back. For a cache hit that machinery cost more than the hit: a profile
/// of HTTP/2 hits had a third of the time in retain and release, most of it creating, flushing
/// and closing stream channels (`bench/tls.sh`). Here a stream is an entry in a dictionary.
///
/// What the child channels did is done here: the inbound flow-control windows are opened again
/// as request content is read (only unsafe methods carry any), a stream whose content stalls for
/// `bodyTimeout` is reset, and a stream the client resets is forgotten. Request header blocks
/// are checked here (`HTTP2RequestRules`) rather than by `NIOHTTP2Handler`, which would check
/// every answer's too. `NIOHTTP2Handler` still validates content lengths, applies the peer's
/// flow control to what is written, and limits concurrent streams; `NIOHTTP2ServerConnectionManagementHandler` still
/// closes idle connections and sends GOAWAY on shutdown, from the stream events the handler
/// fires.
final class EdgeHTTP2Handler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    /// A request whose content is still arriving, or that is being answered.
    private struct Stream {
        var request: EdgeRequest
        var bodyTooLarge = false
        var answering = false
        var bodyDeadline: Scheduled<Void>?
    }

    /// `HTTPField.Name.host` is marked unavailable (HTTPTypes keeps the authority apart); the
    /// responder reads requests as HTTP/1.1 spells them.
    private static let hostField = HTTPField.Name("Host")!

    private let server: EdgeResponder
    private let bodyTimeout: TimeAmount
    private var streams: [HTTP2StreamID: Stream] = [:]
    /// Answers written while reading, flushed together when the read ends.
    private var needsFlush = false

    init(server: EdgeResponder, bodyTimeout: Duration) {
        self.server = server
        self.bodyTimeout = TimeAmount(bodyTimeout)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let id = frame.streamID
        switch frame.payload {
        case .headers(let headers):
            if streams[id] == nil {
                guard HTTP2RequestRules.isWellFormedRequest(headers.headers),
                    let request = Self.request(from: headers.headers)
                else { return reset(id, .protocolError, context: context) }
                streams[id] = Stream(request: request)
            } else if !HTTP2RequestRules.isWellFormedTrailers(headers.headers) {
                return reset(id, .protocolError, context: context)
            }
            if headers.endStream {
                end(id, context: context)
            } else {
                scheduleBodyDeadline(id, context: context)
            }
        case .data(let data):
            guard var stream = streams[id], !stream.answering else { return }
            let length = data.data.readableBytes
            if case .byteBuffer(var part) = data.data {
                if stream.request.body.readableBytes + length > EdgeHTTPHandler.maxBodyBytes {
                    stream.bodyTooLarge = true
                } else {
                    stream.request.body.writeBuffer(&part)
                }
            }
            streams[id] = stream
            // What the stream channels' window managers did: the peer may send as much again.
            let flowControlled = length + (data.paddingBytes.map { $0 + 1 } ?? 0)
            if flowControlled > 0 {
                context.write(
                    wrapOutboundOut(
                        HTTP2Frame(streamID: .rootStream, payload: .windowUpdate(windowSizeIncrement: flowControlled))),
                    promise: nil)
                if !data.endStream {
                    context.write(
                        wrapOutboundOut(
                            HTTP2Frame(streamID: id, payload: .windowUpdate(windowSizeIncrement: flowControlled))),
                        promise: nil)
                }
                needsFlush = true
            }
            if data.endStream {
                end(id, context: context)
            } else {
                scheduleBodyDeadline(id, context: context)
            }
        case .rstStream:
            forget(id)
        default:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if needsFlush {
            needsFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let closed = event as? StreamClosedEvent { forget(closed.streamID) }
        context.fireUserInboundEventTriggered(event)
    }

    /// A stream error has reset its stream already (NIOHTTP2Handler); the connection goes on.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is NIOHTTP2Errors.StreamError { return }
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        for id in Array(streams.keys) { forget(id) }
        context.fireChannelInactive()
    }

    /// The request of a stream's first header block: the pseudo-header fields give method and
    /// target, `:authority` stands for `Host` (RFC 9113 §8.3.1), and cookie crumbs are joined
    /// into one field as HTTP/1.1 sends it (§8.2.3), since the request may be forwarded.
    static func request(from headers: HPACKHeaders) -> EdgeRequest? {
        var method: HTTPRequest.Method?
        var target: String?
        var authority: String?
        var cookies: [String] = []
        var fields = HTTPFields()
        fields.reserveCapacity(headers.count)
        for (name, value, _) in headers {
            if name.utf8.first == UInt8(ascii: ":") {
                switch name {
                case ":method": method = HTTPRequest.Method(value)
                case ":path": target = value
                case ":authority": authority = value
                default: break
                }
            } else if name == "cookie" {
                cookies.append(value)
            } else if let name = HTTPField.Name(name) {
                fields.append(HTTPField(name: name, value: value))
            }
        }
        // CONNECT names an authority instead of a path (§8.5); the responder refuses it, as over
        // HTTP/1.1.
        guard let method, let target = target ?? (method == .connect ? authority : nil) else { return nil }
        if let authority, fields[Self.hostField] == nil { fields[Self.hostField] = authority }
        if !cookies.isEmpty { fields[.cookie] = cookies.joined(separator: "; ") }
        return EdgeRequest(method: method, target: target, headerFields: fields)
    }

    /// The request is whole: answer it, at once when the cache can.
    private func end(_ id: HTTP2StreamID, context: ChannelHandlerContext) {
        guard var stream = streams[id], !stream.answering else { return }
        stream.answering = true
        stream.bodyDeadline?.cancel()
        stream.bodyDeadline = nil
        streams[id] = stream
        let isHead = stream.request.method == .head
        let toSurrogate = SurrogateKeys.wanted(by: stream.request.headerFields)
        if stream.bodyTooLarge {
            write(EdgeHTTPHandler.contentTooLarge(), to: id, isHead: isHead, context: context)
            return
        }
        server.answer(stream.request, on: context.eventLoop) { answer, later in
            self.write(answer, to: id, isHead: isHead, toSurrogate: toSurrogate, context: context)
            // A hit is flushed with the others of its read; a later answer on its own.
            if later {
                self.needsFlush = false
                context.flush()
            }
        }
    }

    /// Writes an answer on its stream, unless the client reset the stream meanwhile; the
    /// answer to a `HEAD` has the fields of a `GET` and no content (RFC 9110 §9.3.2).
    private func write(
        _ answer: EdgeResponse, to id: HTTP2StreamID, isHead: Bool, toSurrogate: Bool = false,
        context: ChannelHandlerContext
    ) {
        guard streams.removeValue(forKey: id) != nil else { return }
        let body = isHead ? ByteBuffer() : answer.body
        let headers = Self.headers(of: answer, bodyLength: body.readableBytes, toSurrogate: toSurrogate)
        let endStream = body.readableBytes == 0
        context.write(
            wrapOutboundOut(HTTP2Frame(streamID: id, payload: .headers(.init(headers: headers, endStream: endStream)))),
            promise: nil)
        if !endStream {
            context.write(
                wrapOutboundOut(
                    HTTP2Frame(streamID: id, payload: .data(.init(data: .byteBuffer(body), endStream: true)))),
                promise: nil)
        }
        needsFlush = true
    }

    /// An answer's header block: `:status`, the stored fields (`Surrogate-Key` only for a
    /// surrogate), the answer's own, and the content length for a body of `bodyLength` bytes.
    /// Names in lower case (RFC 9113 §8.2.1).
    private static func headers(of answer: EdgeResponse, bodyLength: Int, toSurrogate: Bool) -> HPACKHeaders {
        let stored = answer.storedFields  // derived once, for a compressed representation
        var headers = HPACKHeaders()
        headers.reserveCapacity(stored.count + answer.addedFields.count + 2)
        headers.add(name: ":status", value: String(answer.status.code))
        for field in stored
        where field.name != .contentLength && SurrogateKeys.sends(field.name, toSurrogate: toSurrogate) {
            headers.add(name: field.name.canonicalName, value: field.value)
        }
        for field in answer.addedFields { headers.add(name: field.name.canonicalName, value: field.value) }
        let length = HTTP1Head.contentLength(
            status: answer.status, bodyLength: bodyLength, stored: stored[.contentLength])
        if let length { headers.add(name: "content-length", value: length) }
        return headers
    }

    /// Resets the stream when its content does not go on within `bodyTimeout`, as the request
    /// timeouts of an HTTP/1.1 connection would close it.
    private func scheduleBodyDeadline(_ id: HTTP2StreamID, context: ChannelHandlerContext) {
        streams[id]?.bodyDeadline?.cancel()
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        streams[id]?.bodyDeadline = context.eventLoop.scheduleTask(in: bodyTimeout) {
            let (handler, context) = bound.value
            guard handler.streams[id]?.answering == false else { return }
            handler.forget(id)
            context.writeAndFlush(
                handler.wrapOutboundOut(HTTP2Frame(streamID: id, payload: .rstStream(.cancel))), promise: nil)
        }
    }

    /// Ends a stream the client sent something wrong on; the connection goes on.
    private func reset(_ id: HTTP2StreamID, _ code: NIOHTTP2.HTTP2ErrorCode, context: ChannelHandlerContext) {
        forget(id)
        context.write(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .rstStream(code))), promise: nil)
        needsFlush = true
    }

    private func forget(_ id: HTTP2StreamID) {
        streams.removeValue(forKey: id)?.bodyDeadline?.cancel()
    }
}

@available(*, unavailable)
extension EdgeHTTP2Handler: Sendable {}
