import Foundation
import ManifestBuilder
import ManifestHTTP
import ManifestSimulation
import TestSupport
import Testing

@testable import ManifestOrigin

/// Long polls from the end of the log, answered on the event loop without the router: the same
/// answer as the route's, in request order, and at once on a graceful stop.
@Suite("Long polls answered on the event loop")
struct LongPollHandlerTests {
    @Test("a poll from the end of the log gets the route's answer, byte for byte but for Date, without a store read")
    func sameAnswerAsRoute() async throws {
        let origin = try await PublishedOrigin.make()
        let store = CountingStore(inner: origin.store)
        let watcher = PublishWatcher(store: store, interval: .milliseconds(10))
        let server = OriginController(store: store, publicKey: origin.key.publicKey, watcher: watcher)
        try await withLiveOrigin(server) { port in
            try await learnEnd(watcher)
            let before = store.counts.withLock { $0.events }
            // A percent-encoded parameter is left to the router, which decodes it.
            let routed = try RawConnection(port: port)
            routed.send("GET /v1/events?after=1&wait=20&edge=edge%2Db HTTP/1.1\r\nHost: origin\r\n\r\n")
            let taken = try RawConnection(port: port)
            taken.send("GET /v1/events?after=1&wait=20&edge=edge-a HTTP/1.1\r\nHost: origin\r\n\r\n")
            try await withTimeLimit { while watcher.waiting < 2 { await Task.yield() } }
            #expect(store.counts.withLock { $0.events } - before == 1, "only the routed poll read the log")
            #expect(server.subscribers.list().subscribers.map(\.name).sorted() == ["edge-a", "edge-b"])

            try await origin.publish(trackPages: false, at: PublishedOrigin.start.addingTimeInterval(60))
            let answers = [await taken.readResponses(1), await routed.readResponses(1)]
            let heads = answers.map { $0.first.map(withoutDate) }
            #expect(heads[0] != nil && heads[0] == heads[1])
            let body = try #require(answers[0].first?.components(separatedBy: "\r\n\r\n").last)
            let batch = try JSONDecoder().decode(EventBatch.self, from: Data(body.utf8))
            #expect(batch.events.map(\.sequence) == [2] && batch.last == 2)
        }
    }

    @Test("a poll from the end of the log that nothing wakes gets the empty batch at its deadline")
    func deadline() async throws {
        let (origin, watcher, server) = try await publishedOrigin()
        defer { withExtendedLifetime(origin) {} }
        try await withLiveOrigin(server) { port in
            try await learnEnd(watcher)
            let poll = try RawConnection(port: port)
            poll.send("GET /v1/events?after=1&wait=0 HTTP/1.1\r\nHost: origin\r\n\r\n")
            let answer = try #require(await poll.readResponses(1).first)
            #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(answer.hasSuffix("\r\n\r\n{\"events\":[],\"last\":1}"))
            #expect(watcher.waiting == 0)
        }
    }

    @Test("a request pipelined behind a waiting poll ends the wait with no events and is answered after it")
    func pipelinedAfterPoll() async throws {
        let (origin, watcher, server) = try await publishedOrigin()
        defer { withExtendedLifetime(origin) {} }
        try await withLiveOrigin(server) { port in
            try await learnEnd(watcher)
            let connection = try RawConnection(port: port)
            connection.send("GET /v1/events?after=1&wait=30 HTTP/1.1\r\nHost: origin\r\n\r\n")
            try await withTimeLimit { while watcher.waiting < 1 { await Task.yield() } }
            let started = ContinuousClock.now
            connection.send("GET /healthz HTTP/1.1\r\nHost: origin\r\n\r\n")
            let answers = await connection.readResponses(2)
            #expect(answers.count == 2)
            #expect(answers.first?.hasSuffix("\r\n\r\n{\"events\":[],\"last\":1}") == true)
            #expect(answers.last?.hasSuffix("\r\n\r\nok") == true)
            #expect(ContinuousClock.now - started < .seconds(15), "not held until the poll's deadline")
            #expect(watcher.waiting == 0)
        }
    }

    @Test("a poll pipelined behind a waiting poll ends it, then waits itself for the next publish")
    func pollBehindPoll() async throws {
        let (origin, watcher, server) = try await publishedOrigin()
        try await withLiveOrigin(server) { port in
            try await learnEnd(watcher)
            let connection = try RawConnection(port: port)
            let poll = "GET /v1/events?after=1&wait=30 HTTP/1.1\r\nHost: origin\r\n\r\n"
            connection.send(poll)
            try await withTimeLimit { while watcher.waiting < 1 { await Task.yield() } }
            connection.send(poll)
            let first = await connection.readResponses(1)
            #expect(first.first?.hasSuffix("\r\n\r\n{\"events\":[],\"last\":1}") == true)
            try await withTimeLimit { while watcher.waiting < 1 { await Task.yield() } }
            try await origin.publish(trackPages: false, at: PublishedOrigin.start.addingTimeInterval(60))
            let second = try #require(await connection.readResponses(1).first)
            #expect(second.contains("\"events\":[{"), "answered by the publish, not by the first poll's end")
        }
    }

    @Test("a graceful stop answers a waiting poll at once, with no events, and closes its connection")
    func gracefulStop() async throws {
        let (origin, watcher, server) = try await publishedOrigin()
        defer { withExtendedLifetime(origin) {} }
        let servers = LocalServers(logger: .test)
        let port = try await servers.start(origin: server)
        try await learnEnd(watcher)
        let poll = try RawConnection(port: port)
        poll.send("GET /v1/events?after=1&wait=30 HTTP/1.1\r\nHost: origin\r\n\r\n")
        try await withTimeLimit { while watcher.waiting < 1 { await Task.yield() } }
        let started = ContinuousClock.now
        await servers.stopAll()
        let (answer, closed) = await poll.readUntilClosed(limit: .seconds(20))
        #expect(closed)
        #expect(answer.lowercased().contains("\r\nconnection: close\r\n"))
        #expect(answer.hasSuffix("\r\n\r\n{\"events\":[],\"last\":1}"))
        #expect(ContinuousClock.now - started < .seconds(15), "not held until the poll's deadline")
        #expect(watcher.waiting == 0)
    }

    /// An origin with one publish (sequence 1) and a watcher that checks the log every 10 ms.
    /// The store lives as long as the returned `PublishedOrigin`.
    private func publishedOrigin() async throws -> (PublishedOrigin, PublishWatcher, OriginController) {
        let origin = try await PublishedOrigin.make()
        let watcher = PublishWatcher(store: origin.store, interval: .milliseconds(10))
        return (
            origin, watcher, OriginController(store: origin.store, publicKey: origin.key.publicKey, watcher: watcher)
        )
    }

    /// Lets the watcher learn the end of the log (sequence 1) from one check, as it does while
    /// any poll waits.
    private func learnEnd(_ watcher: PublishWatcher) async throws {
        let token = watcher.watch(after: 1, until: .now + .seconds(3600)) { _ in }
        try await withTimeLimit { while watcher.knownEnd < 1 { await Task.yield() } }
        watcher.cancel(token)
    }

    private func withoutDate(_ response: String) -> String {
        response.components(separatedBy: "\r\n").filter { !$0.lowercased().hasPrefix("date:") }
            .joined(separator: "\r\n")
    }
}
