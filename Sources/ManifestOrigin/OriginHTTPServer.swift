import Hummingbird
import HummingbirdCore
import ManifestHTTP
import ManifestHummingbirdTLS
import ManifestTLS
import NIOCore
import NIOHTTPTypes

extension HTTPServerBuilder {
    /// HTTP/1.1 for the origin under a `ConnectionPolicy`: header, keep-alive and body timeouts
    /// (`RequestTimeoutHandler`), and at most `connections.maxConnections` open connections; one
    /// more is closed at once (Hummingbird's own limit only stops accepting, which leaves
    /// clients waiting in the backlog). Over TLS with `tls` (HTTP/1.1 only, reloadable certificate).
    /// With `longPolls`, that controller's long polls from the end of the log are answered on the
    /// event loop (`LongPollHandler`), with `serverName` in their `Server` field as the
    /// application's.
    public static func origin(
        policy: ConnectionPolicy, connections: ConnectionLimiter, tls: ServerTLSContext? = nil,
        longPolls: OriginController? = nil, serverName: String? = nil
    ) -> HTTPServerBuilder {
        .http1(
            configuration: .init(
                additionalChannelHandlers: [
                    ConnectionGateHandler(connections),
                    RequestTimeoutHandler<HTTPRequestPart, HTTPResponsePart>(
                        policy: policy, inbound: \.kind, outbound: \.kind),
                ] + (longPolls.map { [LongPollHandler(server: $0, serverName: serverName)] } ?? [])),
            tls: tls)
    }
}

extension HTTPRequestPart {
    var kind: HTTPPartKind {
        switch self {
        case .head: .head
        case .body: .body
        case .end: .end
        }
    }
}

extension HTTPResponsePart {
    var kind: HTTPPartKind {
        switch self {
        case .head: .head
        case .body: .body
        case .end: .end
        }
    }
}

/// Takes a `ConnectionLimiter` slot for its connection, or closes the connection at once when
/// there is none; gives the slot back when the connection closes.
final class ConnectionGateHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let connections: ConnectionLimiter
    private var admitted: Bool?

    init(_ connections: ConnectionLimiter) {
        self.connections = connections
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard admitted == nil else { return }
        let connections = self.connections
        let admitted = connections.admit()
        self.admitted = admitted
        let channel = context.channel
        if admitted {
            channel.closeFuture.whenComplete { _ in connections.release() }
        } else {
            channel.eventLoop.execute { channel.close(promise: nil) }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard admitted == true else { return }
        context.fireChannelRead(data)
    }
}

@available(*, unavailable)
extension ConnectionGateHandler: Sendable {}
