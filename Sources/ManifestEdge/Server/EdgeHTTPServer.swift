import HTTPTypes
import Logging
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The edge's HTTP/1.1 server, on SwiftNIO directly: a cache hit is answered on the event
/// loop that read the request, with no hop to Swift concurrency; misses and the edge's own
/// endpoints go through `EdgeResponder.respond(to:)` in a task. Malformed requests get NIO's 400.
///
/// A `Service`: it stops on graceful shutdown (SIGTERM/SIGINT under a `ServiceGroup`), letting
/// requests in progress finish.
public final class EdgeHTTPServer: Service {
    private let server: EdgeResponder
    private let host: String
    private let port: Int
    private let logger: Logger
    private let onBound: @Sendable (Int) -> Void

    /// `onBound` receives the port actually bound (useful with port 0).
    public init(
        server: EdgeResponder, host: String, port: Int, logger: Logger,
        onBound: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.server = server
        self.host = host
        self.port = port
        self.logger = logger
        self.onBound = onBound
    }

    public func run() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let quiesce = ServerQuiescingHelper(group: group)
        let server = self.server
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiesce.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Outbound fields were validated when the upstream response was parsed; checking
                    // every field again on every hit costs more than the rest of a hit.
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withErrorHandling: true, withOutboundHeaderValidation: false)
                    try channel.pipeline.syncOperations.addHandler(EdgeHTTPHandler(server: server))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .bind(host: host, port: port).get()
        let boundPort = channel.localAddress?.port ?? port
        logger.info("edge listening", metadata: ["host": "\(host)", "port": "\(boundPort)"])
        onBound(boundPort)
        // Returns when shutdown is requested, or throws when the task is cancelled: stop either way.
        try? await gracefulShutdown()
        let stopped = group.next().makePromise(of: Void.self)
        quiesce.initiateShutdown(promise: stopped)
        try await stopped.futureResult.get()
        logger.info("edge stopped")
    }
}

/// One connection: collects a request, answers it, and keeps the connection for the next.
final class EdgeHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let server: EdgeResponder
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    private var bodyTooLarge = false

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
            if bodyTooLarge {
                let answer = EdgeResponses.error(
                    .contentTooLarge, "the request content is larger than \(Self.maxBodyBytes) bytes")
                return write(answer, keepAlive: false, context: context)
            }
            let request = Self.request(from: head, body: body)
            if let answer = server.immediateResponse(to: request) {
                write(answer, keepAlive: head.isKeepAlive, context: context)
                return
            }
            let server = self.server
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.makeFutureWithTask { await server.respond(to: request) }.whenSuccess { answer in
                let (handler, context) = bound.value
                handler.write(answer, keepAlive: head.isKeepAlive, context: context)
            }
        }
    }

    private func write(_ answer: EdgeResponse, keepAlive: Bool, context: ChannelHandlerContext) {
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
            method: HTTPRequest.Method(head.method.rawValue) ?? .get, target: head.uri, headerFields: fields)
    }
}
