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
    /// When the connection is closed unless the client gets further; nil while the server works.
    private var deadline: NIODeadline?
    /// When the scheduled timer fires.
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
        stopTimer()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        stopTimer()
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

    /// Sets the deadline. At most one timer is scheduled: moving the deadline only changes a
    /// field, and a timer that fires early schedules itself again, so that a busy keep-alive
    /// connection does not schedule and cancel a timer for every request.
    private func arm(_ timeout: Duration, context: ChannelHandlerContext) {
        deadline = NIODeadline.now() + Self.amount(timeout)
        // A running timer is kept even when the new deadline is earlier: it fires at most the
        // shortest timeout after it was set (see `schedule`), so an earlier deadline is noticed
        // that late at worst, and no request pays for cancelling and scheduling a timer.
        if timer == nil { schedule(context: context) }
    }

    private static func amount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    private func disarm() {
        deadline = nil
    }

    private func schedule(context: ChannelHandlerContext) {
        guard let deadline else { return }
        let shortest = min(policy.headerTimeout, policy.bodyTimeout, policy.idleTimeout)
        let next = min(deadline, NIODeadline.now() + Self.amount(shortest))
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: next) {
            let (handler, context) = loopBound.value
            handler.timer = nil
            guard let deadline = handler.deadline else { return }
            if deadline <= .now() {
                context.close(promise: nil)
            } else {
                handler.schedule(context: context)
            }
        }
    }

    private func stopTimer() {
        timer?.cancel()
        timer = nil
        deadline = nil
    }
}

@available(*, unavailable)
extension RequestTimeoutHandler: Sendable {}
