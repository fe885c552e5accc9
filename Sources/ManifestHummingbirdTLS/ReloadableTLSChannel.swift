import HummingbirdCore
import Logging
import ManifestTLS
import NIOCore
import NIOSSL

/// A Hummingbird child channel behind TLS whose certificate can be reloaded while the server
/// runs: each accepted connection takes the `ServerTLSContext`'s context of the moment, so a
/// SIGHUP after a renewal reaches new connections and leaves open ones alone. (Hummingbird's own
/// `TLSChannel` fixes its context when the server starts.)
public struct ReloadableTLSChannel<Base: ServerChildChannel>: ServerChildChannel {
    public typealias Value = Base.Value

    private let base: Base
    private let tls: ServerTLSContext

    public init(_ base: Base, tls: ServerTLSContext) {
        self.base = base
        self.tls = tls
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls.context))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    public func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension ReloadableTLSChannel: HTTPChannelHandler where Base: HTTPChannelHandler {
    public var responder: HTTPChannelHandler.Responder { base.responder }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with `configuration`, behind TLS when `tls` is given (with a reloadable
    /// certificate). The context must offer only `http/1.1` by ALPN: this server does not speak
    /// HTTP/2.
    public static func http1(configuration: HTTP1Channel.Configuration, tls: ServerTLSContext?) -> HTTPServerBuilder {
        guard let tls else { return .http1(configuration: configuration) }
        return .init { responder in
            ReloadableTLSChannel(HTTP1Channel(responder: responder, configuration: configuration), tls: tls)
        }
    }
}
