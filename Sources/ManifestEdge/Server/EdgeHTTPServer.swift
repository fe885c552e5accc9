import HTTPTypes
import Logging
import ManifestHTTP
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The edge's HTTP/1.1 server, on SwiftNIO directly: a cache hit is answered on the event
/// loop that read the request, with no hop to Swift concurrency; misses and the edge's own
/// endpoints go through `EdgeResponder.respond(to:)` in a task. Malformed requests get NIO's 400,
/// then the connection is closed.
///
/// Each connection lives under a `ConnectionPolicy`: header, keep-alive and body timeouts
/// (`RequestTimeoutHandler`), and a cap on open connections: one over it gets a 503 with
/// `Connection: close` and is counted in `edge_connections_refused_total`. A client may shut its
/// write side after its request (half-close) and still gets its answer.
///
/// A `Service`: it stops on graceful shutdown (SIGTERM/SIGINT under a `ServiceGroup`), letting
/// requests in progress finish.
public final class EdgeHTTPServer: Service {
    private let server: EdgeResponder
    private let host: String
    private let port: Int
    private let policy: ConnectionPolicy
    private let connections: ConnectionLimiter
    private let logger: Logger
    private let onBound: @Sendable (Int) -> Void

    /// `onBound` receives the port actually bound (useful with port 0).
    public init(
        server: EdgeResponder, host: String, port: Int, policy: ConnectionPolicy = ConnectionPolicy(),
        logger: Logger, onBound: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.server = server
        self.host = host
        self.port = port
        self.policy = policy
        self.connections = EdgeConnectionMetrics(registry: server.cache.metrics.registry)
            .limiter(maxConnections: policy.maxConnections)
        self.logger = logger
        self.onBound = onBound
    }

    public func run() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let quiesce = ServerQuiescingHelper(group: group)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiesce.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelInitializer { [server, policy, connections] channel in
                channel.eventLoop.makeCompletedFuture {
                    try Self.configure(channel, server: server, policy: policy, connections: connections)
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
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

    /// One accepted connection's pipeline: the refusal when over the cap, otherwise HTTP/1.1
    /// with timeouts and the edge's handler.
    private static func configure(
        _ channel: any Channel, server: EdgeResponder, policy: ConnectionPolicy, connections: ConnectionLimiter
    ) throws {
        let pipeline = channel.pipeline.syncOperations
        guard connections.admit() else {
            try pipeline.addHandler(ConnectionRefusalHandler())
            return
        }
        channel.closeFuture.whenComplete { _ in connections.release() }
        // Outbound fields were validated when the upstream response was parsed; checking
        // every field again on every hit costs more than the rest of a hit.
        try pipeline.configureHTTPServerPipeline(withErrorHandling: true, withOutboundHeaderValidation: false)
        try pipeline.addHandler(
            RequestTimeoutHandler<HTTPServerRequestPart, HTTPServerResponsePart>(
                policy: policy, inbound: \.kind, outbound: \.kind))
        try pipeline.addHandler(EdgeHTTPHandler(server: server))
    }
}

extension HTTPPart {
    /// For `RequestTimeoutHandler`.
    var kind: HTTPPartKind {
        switch self {
        case .head: .head
        case .body: .body
        case .end: .end
        }
    }
}
