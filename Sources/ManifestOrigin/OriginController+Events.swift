import Foundation
import HTTPTypes
import Hummingbird
import ManifestBuilder
import ManifestHTTP
import ServiceLifecycle

extension OriginController {
    /// The invalidation stream, as long polling: publish events after `after`, in order,
    /// answered as soon as there is one or after `wait` seconds (at most 30) with none (an
    /// `EventBatch`).
    /// Without `after`, it answers at once with no events and the current `last`: where a new
    /// subscriber starts. A subscriber that reconnects with the last sequence it applied misses
    /// nothing.
    func events(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let parameters = request.uri.queryParameters
        let wait = EventBatch.wait(parameters["wait"].map(String.init))
        do {
            guard let afterParameter = parameters["after"] else {
                return Self.eventsResponse([], last: try await store.lastSequence())
            }
            guard let after = Int64(afterParameter), after >= 0 else {
                return errorResponse(.badRequest, "after is a sequence number: 0 or more.")
            }
            if let name = parameters[Substring(SubscriberList.nameParameter)], SubscriberList.isValidName(name) {
                subscribers.record(name: String(name), applied: after, at: Date())
            }
            let deadline = ContinuousClock.now + wait
            var events = try await store.events(after: after, limit: 500)
            // The watcher wakes every waiting poll from one check of the log, with the answer it
            // read and encoded once for all of them. A graceful stop ends the wait at once with
            // what there is (usually nothing), so that stopping the origin never waits for long
            // polls.
            if events.isEmpty && !Task.isCancelled && !Task.isShuttingDownGracefully {
                if let woken = await cancelWhenGracefulShutdown({ await watcher.wait(after: after, until: deadline) }) {
                    return Self.eventsResponse(body: woken)
                }
                events = try await store.events(after: after, limit: 500)
            }
            return Self.eventsResponse(events, last: events.last?.sequence ?? after)
        } catch is CancellationError {
            return Self.eventsResponse([], last: Int64(parameters["after"].flatMap { Int64(String($0)) } ?? 0))
        } catch {
            return storeFailure(error, context)
        }
    }

    /// `/v1/subscribers`: the edges following the stream (not cached anywhere).
    func subscriberList() -> Response {
        let body = (try? SubscriberList.encoder.encode(subscribers.list())) ?? Data("{\"subscribers\":[]}".utf8)
        return Response(
            status: .ok,
            headers: [.contentType: "application/json", .cacheControl: "no-store", .cdnCacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    private static func eventsResponse(_ events: [PublishEvent], last: Int64) -> Response {
        eventsResponse(body: eventsBody(events, last: last))
    }

    /// The encoded `EventBatch` an answer of the stream carries (the route's, the watcher's shared
    /// one, and `LongPollHandler`'s at a deadline).
    static func eventsBody(_ events: [PublishEvent], last: Int64) -> ByteBuffer {
        ByteBuffer(bytes: EventBatch(events: events, last: last).encoded())
    }

    /// An encoded `EventBatch` as the answer (the buffer may be shared by many answers).
    private static func eventsResponse(body: ByteBuffer) -> Response {
        Response(status: .ok, headers: eventsFields, body: .init(byteBuffer: body))
    }

    /// The fields of the stream's answers, before `Content-Length` and the envelope's
    /// (`LongPollHandler` writes the same).
    static let eventsFields: HTTPFields = [
        .contentType: "application/json", .cacheControl: "no-store", .cdnCacheControl: "no-store",
    ]
}
