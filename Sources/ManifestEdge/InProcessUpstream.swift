import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded

/// A Hummingbird responder called in process, with no socket: the deterministic simulation
/// puts the real origin routes behind edges that run on a virtual clock.
public struct InProcessUpstream<Responder: HTTPResponder>: Upstream where Responder.Context == BasicRequestContext {
    private let responder: Responder
    private let logger: Logger

    public init(_ responder: Responder, logger: Logger = Logger(label: "manifest.in-process")) {
        self.responder = responder
        self.logger = logger
    }

    public func fetch(_ path: String, headerFields: HTTPFields) async throws(UpstreamError) -> UpstreamResponse {
        let head = HTTPRequest(method: .get, scheme: "http", authority: "origin", path: path, headerFields: headerFields)
        let context = BasicRequestContext(source: ApplicationRequestContextSource(channel: EmbeddedChannel(), logger: logger))
        do {
            let response = try await responder.respond(to: Request(head: head, body: RequestBody(buffer: ByteBuffer())), context: context)
            let collected = Collected()
            try await response.body.write(CollectingWriter(into: collected))
            return UpstreamResponse(status: response.status, headerFields: response.headers, body: collected.buffer)
        } catch {
            throw .unreachable("\(error)")
        }
    }

    private final class Collected: @unchecked Sendable {
        var buffer = ByteBuffer()
    }

    private struct CollectingWriter: ResponseBodyWriter {
        let into: Collected
        mutating func write(_ buffer: ByteBuffer) async throws {
            var buffer = buffer
            into.buffer.writeBuffer(&buffer)
        }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}

/// An edge is also an upstream: for clients and edges in the same process (the simulation's
/// shield tier, its clients).
extension EdgeCache: Upstream {
    public func fetch(_ path: String, headerFields: HTTPFields) async throws(UpstreamError) -> UpstreamResponse {
        let answer = await respond(to: EdgeRequest(path: path, headerFields: headerFields))
        return UpstreamResponse(status: answer.status, headerFields: answer.headerFields, body: answer.body)
    }
}
