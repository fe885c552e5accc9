import Foundation
import HTTPTypes
import ManifestHTTP
import NIOCore
import NIOHTTPTypes

/// Answers the invalidation stream's long polls that ask from the known end of the log
/// (`PublishWatcher.knownEnd`) on their connection's event loop, without the router: the poll
/// registers with the watcher and, when a publish wakes it, the watcher's shared encoded answer is
/// written as it is. A thousand edges waiting on one origin are a thousand such polls, and a
/// publish answers them all at once; through the router each answer cost a task, a store read
/// and the middleware chain (`bench/longpoll.sh`).
///
/// Every other request, and a poll that is not a plain keep-alive `GET` from the known end (it
/// may have events to read, percent-encoded parameters, or `Connection: close`), goes on to the
/// router, whose `/v1/events` route answers the same bytes, but for `Date`. A poll is taken only
/// when the router has no request of this connection in hand, so answers stay in request order.
/// A request pipelined behind a waiting poll ends the wait at once with no events (its client
/// wants the next answer now; holding the request could delay it by the whole wait). A graceful
/// stop answers a waiting poll at once too, with `Connection: close`.
final class LongPollHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// A long poll this handler answers: where it asks from and when it ends.
    struct Poll {
        var after: Int64
        var deadline: ContinuousClock.Instant
    }

    private enum State {
        case passing
        case reading(Poll)
        case waiting(Poll, token: UInt64)
    }

    private let server: OriginController
    private let serverName: String?
    private var state = State.passing
    /// Requests passed on to the router whose answer has not ended.
    private var inRouter = 0
    /// How many polls this connection has waited on: a late answer for an earlier one (ended by
    /// a pipelined request) must not answer the one waiting now.
    private var waits = 0

    init(server: OriginController, serverName: String?) {
        self.server = server
        self.serverName = serverName
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch state {
        case .passing:
            if case .head(let request) = part {
                if inRouter == 0, let poll = takenPoll(request) {
                    state = .reading(poll)
                    return
                }
                inRouter += 1
            }
            context.fireChannelRead(data)
        case .reading(let poll):
            // A GET's body, if any, means nothing here.
            if case .end = part { startWaiting(poll, context: context) }
        case .waiting(let poll, let token):
            server.watcher.cancel(token)
            state = .passing
            _ = answer(poll, body: nil, closing: false, context: context)
            channelRead(context: context, data: data)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { inRouter -= 1 }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, case .waiting(let poll, let token) = state {
            server.watcher.cancel(token)
            state = .passing
            let written = answer(poll, body: nil, closing: true, context: context)
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            written.whenComplete { _ in bound.value.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .waiting(_, let token) = state {
            state = .passing
            server.watcher.cancel(token)
        }
        context.fireChannelInactive()
    }

    /// The poll in `request` when this handler answers it: a plain keep-alive GET of
    /// `/v1/events` from the known end of the log, with parameters it can read as they are.
    private func takenPoll(_ request: HTTPRequest) -> Poll? {
        guard request.method == .get, request.headerFields[.connection] == nil,
            let path = request.path, path.hasPrefix("/v1/events?")
        else { return nil }
        var after: Int64?
        var wait: String?
        var edge: Substring?
        for item in path.dropFirst("/v1/events?".count).split(separator: "&") {
            guard !item.contains("%"), !item.contains("+") else { return nil }
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let value = pair.count == 2 ? pair[1] : ""
            switch pair[0] {
            case "after": after = Int64(value)
            case "wait": wait = String(value)
            case Substring(SubscriberList.nameParameter): edge = value
            default: break
            }
        }
        let known = server.watcher.knownEnd
        guard let after, after == known, known > 0 else { return nil }
        if let edge, SubscriberList.isValidName(edge) {
            server.subscribers.record(name: String(edge), applied: after, at: Date())
        }
        return Poll(after: after, deadline: .now + EventBatch.wait(wait))
    }

    private func startWaiting(_ poll: Poll, context: ChannelHandlerContext) {
        let loop = context.eventLoop
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: loop)
        waits += 1
        let number = waits
        let token = server.watcher.watch(after: poll.after, until: poll.deadline) { body in
            // Always later on the loop, so after `state` below is set.
            loop.execute { bound.value.handler.woken(number, body: body, context: bound.value.context) }
        }
        state = .waiting(poll, token: token)
    }

    /// The watcher's answer for wait `number`, on the loop: ignored when that poll ended
    /// otherwise (its connection closed, a pipelined request, a graceful stop).
    private func woken(_ number: Int, body: ByteBuffer?, context: ChannelHandlerContext) {
        guard number == waits, case .waiting(let poll, _) = state else { return }
        state = .passing
        _ = answer(poll, body: body, closing: false, context: context)
    }

    /// Writes the poll's answer: `body` (the watcher's encoded batch) or, at its deadline (or
    /// when the watcher's read failed), the empty batch from where it asked: the edge asks again.
    private func answer(_ poll: Poll, body: ByteBuffer?, closing: Bool, context: ChannelHandlerContext)
        -> EventLoopFuture<Void>
    {
        let body = body ?? OriginController.eventsBody([], last: poll.after)
        var fields = OriginController.eventsFields
        fields[.contentLength] = String(body.readableBytes)
        OriginController.addEnvelopeFields(&fields)
        fields[.date] = HTTPDate.format(Date())
        if let serverName { fields[.server] = serverName }
        if closing { fields[.connection] = "close" }
        // Not through `write(context:)`: these parts are not the router's.
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .ok, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        return written.futureResult
    }
}

@available(*, unavailable)
extension LongPollHandler: Sendable {}
