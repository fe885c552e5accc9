import Foundation
import Hummingbird
import ManifestBuilder
import ManifestHTTP
import ManifestSimulation
import Synchronization
import TestSupport
import Testing

@testable import ManifestOrigin

/// Hardening #17 items 1 and 7 for the origin, over raw sockets on loopback: timeouts, the
/// connection cap and a graceful stop that ends long polls at once.
@Suite("Origin connections: timeouts, cap, graceful stop")
struct OriginConnectionTests {
    static let short = ConnectionPolicy(
        headerTimeout: .milliseconds(200), idleTimeout: .milliseconds(200), bodyTimeout: .milliseconds(200),
        maxConnections: 64)

    static func router(_ origin: PublishedOrigin) -> Router<BasicRequestContext> {
        OriginController(store: origin.store, publicKey: origin.key.publicKey).makeRouter()
    }

    @Test("an idle connection, a kept-alive one and a slow header are closed after their timeouts")
    func timeouts() async throws {
        let origin = try await PublishedOrigin.make()
        let limiter = ConnectionLimiter(maxConnections: 64)
        try await withLiveServer(Self.router(origin), policy: Self.short, connections: limiter) { port in
            let idle = try RawConnection(port: port)
            let (nothing, idleClosed) = await idle.readUntilClosed()
            #expect(nothing.isEmpty && idleClosed)

            let kept = try RawConnection(port: port)
            kept.send("GET /healthz HTTP/1.1\r\nHost: origin\r\n\r\n")
            let (answer, keptClosed) = await kept.readUntilClosed()
            #expect(answer.hasPrefix("HTTP/1.1 200"))
            #expect(keptClosed)

            let slow = try RawConnection(port: port)
            slow.send("GET /healthz HTTP/1.1\r\nHost: origin\r\n")
            let dribble = Task {
                for index in 0..<400 {
                    guard slow.send("X-Slow-\(index): 1\r\n") else { return }
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            let started = ContinuousClock.now
            let (text, slowClosed) = await slow.readUntilClosed(limit: .seconds(25))
            dribble.cancel()
            #expect(slowClosed && !text.contains("200"))
            #expect(ContinuousClock.now - started < .seconds(15), "closed well before the 20 s of dribbling end")
        }
    }

    @Test("over the cap a connection is closed at once and counted")
    func cap() async throws {
        let origin = try await PublishedOrigin.make()
        let limiter = ConnectionLimiter(maxConnections: 1)
        var policy = ConnectionPolicy(maxConnections: 1)
        policy.headerTimeout = .seconds(30)
        try await withLiveServer(Self.router(origin), policy: policy, connections: limiter) { port in
            let first = try RawConnection(port: port)
            try await withTimeLimit {
                while limiter.openConnections < 1 { await Task.yield() }
            }
            let second = try RawConnection(port: port)
            second.send("GET /healthz HTTP/1.1\r\nHost: origin\r\n\r\n")
            let (text, closed) = await second.readUntilClosed()
            #expect(text.isEmpty && closed)
            #expect(limiter.refused == 1)
            first.send("GET /healthz HTTP/1.1\r\nHost: origin\r\nConnection: close\r\n\r\n")
            #expect(await first.readUntilClosed().text.hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test("a graceful stop answers a pending long poll at once with an empty batch")
    func gracefulStopEndsLongPolls() async throws {
        let origin = try await PublishedOrigin.make()
        let arrived = AsyncStream.makeStream(of: Void.self)
        let responder = Arrivals(inner: Self.router(origin).buildResponder(), arrived: arrived.continuation)
        let servers = LocalServers(logger: .test)
        let port = try await servers.start(responder: responder)
        let poll = try RawConnection(port: port)
        poll.send("GET /v1/events?after=1&wait=30 HTTP/1.1\r\nHost: origin\r\n\r\n")
        try await withTimeLimit {
            var iterator = arrived.stream.makeAsyncIterator()
            _ = await iterator.next()
        }
        let reading = Task { await poll.readUntilClosed(limit: .seconds(20)) }
        let started = ContinuousClock.now
        try await withTimeLimit(.seconds(10)) { await servers.stopAll() }
        let (text, _) = await reading.value
        // Far below the 30 s the poll asked to wait, with room for a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(15), "not the 30 s the poll asked to wait")
        #expect(text.hasPrefix("HTTP/1.1 200"))
        #expect(text.hasSuffix(#"{"events":[],"last":1}"#))
    }
}

/// Tells the test when a request has arrived, then answers it with `inner`.
struct Arrivals<Inner: HTTPResponder>: HTTPResponder where Inner.Context == BasicRequestContext {
    typealias Context = BasicRequestContext
    let inner: Inner
    let arrived: AsyncStream<Void>.Continuation

    func respond(to request: Request, context: Context) async throws -> Response {
        arrived.yield()
        return try await inner.respond(to: request, context: context)
    }
}
