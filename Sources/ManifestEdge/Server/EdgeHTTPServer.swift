import HTTPTypes
import Logging
import ManifestHTTP
import ManifestTLS
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The edge's HTTP server (HTTP/1.1, and HTTP/2 over TLS), on SwiftNIO directly: a cache hit is
/// answered on the event loop that read the request, with no hop to Swift concurrency; misses and
/// the edge's own endpoints go through `EdgeResponder.respond(to:)` in a task. Malformed requests get NIO's 400,
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
    private let parts: EdgePipeline.Parts
    private let host: String
    private let port: Int
    private let logger: Logger
    private let onBound: @Sendable (Int) -> Void

    /// With `tls`, every connection is TLS and HTTP/2 is offered beside HTTP/1.1 (ALPN);
    /// without, plain HTTP/1.1. `onBound` receives the port actually bound (useful with port 0).
    public init(
        server: EdgeResponder, host: String, port: Int, policy: ConnectionPolicy = ConnectionPolicy(),
        tls: ServerTLSContext? = nil, logger: Logger, onBound: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        let connections = EdgeConnectionMetrics(registry: server.cache.metrics.registry)
            .limiter(maxConnections: policy.maxConnections)
        self.parts = EdgePipeline.Parts(server: server, policy: policy, connections: connections, tls: tls)
        self.host = host
        self.port = port
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
            .childChannelInitializer { [parts] channel in EdgePipeline.configure(channel, parts) }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .bind(host: host, port: port).get()
        let boundPort = channel.localAddress?.port ?? port
        logger.info(
            "edge listening",
            metadata: ["host": "\(host)", "port": "\(boundPort)", "tls": "\(parts.tls != nil)"])
        onBound(boundPort)
        // Returns when shutdown is requested, or throws when the task is cancelled: stop either way.
        try? await gracefulShutdown()
        let stopped = group.next().makePromise(of: Void.self)
        quiesce.initiateShutdown(promise: stopped)
        try await stopped.futureResult.get()
        logger.info("edge stopped")
    }
}
