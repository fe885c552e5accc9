import NIOCore

/// Where an HTTP message part sits in its message, whatever the HTTP library's part type.
public enum HTTPPartKind: Sendable {
    case head, body, end
}

/// Closes a connection whose client is too slow, per `ConnectionPolicy`: the first request's
/// header must arrive within `headerTimeout` of the connection opening, the next one within
/// `idleTimeout` of the previous response's end, and each body read within `bodyTimeout` of the
/// last. While the server works on a request nothing is timed (the server's own deadlines
/// apply). Sits after the HTTP decoder, generic over the library's part types, so that the edge
/// (NIOHTTP1) and the origin (Hummingbird's HTTPTypes parts) share it.
public final class RequestTimeoutHandler<InboundPart, OutboundPart>: ChannelDuplexHandler,
    RemovableChannelHandler
{
    public typealias InboundIn = InboundPart
    public typealias InboundOut = InboundPart
    public typealias OutboundIn = OutboundPart
    public typealias OutboundOut = OutboundPart

    private let policy: ConnectionPolicy
    private let inboundKind: (InboundPart) -> HTTPPartKind
    private let outboundKind: (OutboundPart) -> HTTPPartKind
    private var timer: Scheduled<Void>?
    /// Requests read in full whose response has not ended yet.
    private var pending = 0
    private var readingRequest = false

    public init(
        policy: ConnectionPolicy, inbound: @escaping (InboundPart) -> HTTPPartKind,
        outbound: @escaping (OutboundPart) -> HTTPPartKind
    ) {
        self.policy = policy
        self.inboundKind = inbound
        self.outboundKind = outbound
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(policy.headerTimeout, context: context) }
    }

    public func channelActive(context: ChannelHandlerContext) {
        arm(policy.headerTimeout, context: context)
        context.fireChannelActive()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch inboundKind(unwrapInboundIn(data)) {
        case .head:
            readingRequest = true
            arm(policy.bodyTimeout, context: context)
        case .body:
            arm(policy.bodyTimeout, context: context)
        case .end:
            readingRequest = false
            pending += 1
            disarm()
        }
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = outboundKind(unwrapOutboundIn(data)) {
            pending = max(0, pending - 1)
            if pending == 0 && !readingRequest { arm(policy.idleTimeout, context: context) }
        }
        context.write(data, promise: promise)
    }

    private func arm(_ timeout: Duration, context: ChannelHandlerContext) {
        disarm()
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) {
            loopBound.value.close(promise: nil)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}

@available(*, unavailable)
extension RequestTimeoutHandler: Sendable {}
