import HTTPTypes
import Hummingbird
import Logging
import ManifestHTTP
import NIOCore
import NIOEmbedded
import Synchronization

/// A Hummingbird responder called in process, with no socket: the deterministic simulation
/// puts the real origin routes behind edges that run on a virtual clock.
public struct InProcessUpstream<Responder: HTTPResponder>: Upstream where Responder.Context == BasicRequestContext {
    private let responder: Responder
    private let logger: Logger

    public init(_ responder: Responder, logger: Logger) {
        self.responder = responder
        self.logger = logger
    }

    public func fetch(_ path: String, headerFields: HTTPFields) async throws(UpstreamError) -> UpstreamResponse {
        let head = HTTPRequest(
            method: .get, scheme: "http", authority: "origin", path: path, headerFields: headerFields)
        let context = BasicRequestContext(
            source: ApplicationRequestContextSource(channel: EmbeddedChannel(), logger: logger))
        do {
            let response = try await responder.respond(
                to: Request(head: head, body: RequestBody(buffer: ByteBuffer())), context: context)
            let collected = Collected()
            try await response.body.write(CollectingWriter(into: collected))
            return UpstreamResponse(
                status: response.status, headerFields: response.headers, body: collected.buffer.withLock { $0 })
        } catch {
            throw .unreachable("\(error)")
        }
    }

    /// The body as the responder writes it (a `Mutex` only to make the box `Sendable`: one
    /// writer, read after it finished).
    private final class Collected: Sendable {
        let buffer = Mutex(ByteBuffer())
    }

    private struct CollectingWriter: ResponseBodyWriter {
        let into: Collected
        mutating func write(_ buffer: ByteBuffer) async throws {
            into.buffer.withLock { collected in
                var buffer = buffer
                collected.writeBuffer(&buffer)
            }
        }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
