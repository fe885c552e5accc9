import ManifestHTTP
import ManifestTLS
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOSSL

/// The handlers of one accepted connection, by what the client speaks.
///
/// Plain TCP is HTTP/1.1. Over TLS, ALPN chooses: `h2` gets HTTP/2, answered from its frames by
/// `EdgeHTTP2Handler`; `http/1.1` or no ALPN gets HTTP/1.1 (`EdgeHTTPHandler`). Both hand their
/// requests to the same `EdgeResponder`, and so to the same cache code.
enum EdgePipeline {
    struct Parts: Sendable {
        var server: EdgeResponder
        var policy: ConnectionPolicy
        var connections: ConnectionLimiter
        var tls: ServerTLSContext?
    }

    static func configure(_ channel: any Channel, _ parts: Parts) -> EventLoopFuture<Void> {
        channel.eventLoop.makeCompletedFuture {
            let pipeline = channel.pipeline.syncOperations
            guard parts.connections.admit() else {
                // Over TLS the client cannot read a plain 503; it sees the connection close.
                if parts.tls == nil {
                    try pipeline.addHandler(ConnectionRefusalHandler())
                } else {
                    channel.close(promise: nil)
                }
                return false
            }
            channel.closeFuture.whenComplete { _ in parts.connections.release() }
            guard let tls = parts.tls else {
                try http1(pipeline, parts)
                return false
            }
            try pipeline.addHandler(NIOSSLServerHandler(context: tls.context))
            try pipeline.addHandler(HandshakeDeadline(timeout: parts.policy.headerTimeout))
            return true
        }.flatMap { negotiates in
            guard negotiates else { return channel.eventLoop.makeSucceededVoidFuture() }
            return channel.configureHTTP2SecureUpgrade(
                h2ChannelConfigurator: { channel in
                    channel.eventLoop.makeCompletedFuture { try http2(channel, parts) }
                },
                http1ChannelConfigurator: { channel in
                    channel.eventLoop.makeCompletedFuture { try http1(channel.pipeline.syncOperations, parts) }
                })
        }
    }

    /// HTTP/1.1 with timeouts and the edge's handler: NIO's request decoder, pipelining and
    /// protocol error handlers, with the edge's own response encoder (see `HTTP1ResponseEncoder`).
    /// Outbound fields are not validated again: they were when the upstream response was parsed,
    /// and checking every field on every hit costs more than the rest of a hit.
    private static func http1(_ pipeline: ChannelPipeline.SynchronousOperations, _ parts: Parts) throws {
        let encoder = HTTP1ResponseEncoder()
        try pipeline.addHandler(encoder)
        try pipeline.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
        try pipeline.addHandler(HTTPServerPipelineHandler())
        try pipeline.addHandler(HTTPServerProtocolErrorHandler())
        try pipeline.addHandler(timeouts(parts.policy))
        try pipeline.addHandler(EdgeHTTPHandler(server: parts.server, encoder: encoder))
    }

    /// HTTP/2: the connection closes gracefully (GOAWAY) after `idleTimeout` without a stream and
    /// on shutdown; a stream whose request content stalls for `bodyTimeout` is reset.
    private static func http2(_ channel: any Channel, _ parts: Parts) throws {
        let manager = NIOHTTP2ServerConnectionManagementHandler(
            eventLoop: channel.eventLoop,
            configuration: .init(
                maxIdleTime: TimeAmount(parts.policy.idleTimeout), maxAge: nil, maxGraceTime: .seconds(10),
                keepalive: nil))
        let pipeline = channel.pipeline.syncOperations
        // Request header blocks are checked by EdgeHTTP2Handler (HTTP2RequestRules), answers'
        // are valid as built: NIO's check of every block was a tenth of an HTTP/2 hit.
        try pipeline.addHandler(NIOHTTP2Handler(mode: .server, headerBlockValidation: .disabled))
        try pipeline.addHandler(manager)
        try pipeline.addHandler(EdgeHTTP2Handler(server: parts.server, bodyTimeout: parts.policy.bodyTimeout))
    }

    private static func timeouts(
        _ policy: ConnectionPolicy
    ) -> RequestTimeoutHandler<HTTPServerRequestPart, HTTPServerResponsePart> {
        RequestTimeoutHandler(policy: policy, inbound: \.kind, outbound: \.kind)
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
