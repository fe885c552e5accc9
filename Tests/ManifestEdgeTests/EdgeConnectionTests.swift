import Foundation
import HTTPTypes
import ManifestHTTP
import TestSupport
import Testing

@testable import ManifestEdge

/// Hardening #17 items 1 and 7 for the edge, over raw sockets on loopback: timeouts, the
/// connection cap, half-closed clients, methods and `Host`. The timeouts are real (200 ms) and
/// the bounds generous; nothing here sleeps to wait for a TTL.
@Suite("Edge connections: timeouts, cap, protocol details")
struct EdgeConnectionTests {
    static let short = ConnectionPolicy(
        headerTimeout: .milliseconds(200), idleTimeout: .milliseconds(200), bodyTimeout: .milliseconds(200),
        maxConnections: 64)

    /// A scripted origin and an edge in front of it with `policy`.
    static func withEdge(
        policy: ConnectionPolicy = short, _ body: @Sendable (_ port: Int, _ cache: EdgeCache) async throws -> Void
    ) async throws {
        try await withLiveServer(responder: ScriptedOrigin(script: OriginScript())) { originPort in
            let cache = EdgeCache(
                upstream: CurlUpstream(baseURL: "http://127.0.0.1:\(originPort)", timeout: .seconds(30)),
                configuration: EdgeConfiguration(name: "test-edge"), logger: .test)
            try await withEdgeServer(EdgeResponder(cache: cache, purgeToken: "t"), policy: policy) { port in
                try await body(port, cache)
            }
        }
    }

    @Test("a connection that sends nothing is closed after the header timeout")
    func idleConnection() async throws {
        try await Self.withEdge { port, _ in
            let connection = try RawConnection(port: port)
            let started = ContinuousClock.now
            let (text, closed) = await connection.readUntilClosed()
            #expect(closed)
            #expect(text.isEmpty)
            #expect(ContinuousClock.now - started < .seconds(9), "a 200 ms timeout, with room for a loaded machine")
        }
    }

    @Test("a kept-alive connection is closed after the idle timeout that follows its answer")
    func keepAliveTimeout() async throws {
        try await Self.withEdge { port, _ in
            let connection = try RawConnection(port: port)
            connection.send("GET /healthz HTTP/1.1\r\nHost: edge\r\n\r\n")
            let (text, closed) = await connection.readUntilClosed()
            #expect(text.hasPrefix("HTTP/1.1 200 OK"))
            #expect(!text.lowercased().contains("connection: close"))
            #expect(closed)
        }
    }

    @Test("a header sent one line every 50 ms is cut off by the header timeout")
    func slowHeader() async throws {
        try await Self.withEdge { port, _ in
            let connection = try RawConnection(port: port)
            connection.send("GET /healthz HTTP/1.1\r\nHost: edge\r\n")
            let dribble = Task {
                for index in 0..<400 {
                    guard connection.send("X-Slow-\(index): 1\r\n") else { return }
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            let started = ContinuousClock.now
            let (text, closed) = await connection.readUntilClosed(limit: .seconds(25))
            dribble.cancel()
            #expect(closed)
            #expect(!text.contains("200 OK"))
            #expect(ContinuousClock.now - started < .seconds(15), "closed well before the 20 s of dribbling end")
        }
    }

    @Test("a body that stops arriving is cut off by the body timeout")
    func slowBody() async throws {
        try await Self.withEdge { port, _ in
            let connection = try RawConnection(port: port)
            connection.send("POST /.edge/purge?all=1 HTTP/1.1\r\nHost: edge\r\nContent-Length: 100\r\n\r\n0123456789")
            let (text, closed) = await connection.readUntilClosed()
            #expect(closed)
            #expect(!text.contains("200 OK"))
        }
    }

    @Test("over the cap: 503 with Connection: close, the connection closed, the refusal counted")
    func connectionCap() async throws {
        var policy = ConnectionPolicy(maxConnections: 2)
        policy.headerTimeout = .seconds(30)
        try await Self.withEdge(policy: policy) { port, cache in
            var held = [try RawConnection(port: port), try RawConnection(port: port)]
            try await Self.waitFor("edge_connections_open", 2, cache)
            let third = try RawConnection(port: port)
            let (text, closed) = await third.readUntilClosed()
            #expect(text.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
            #expect(text.contains("Connection: close\r\n"))
            #expect(closed)
            #expect(metricValue(cache.metrics.exposition(), "edge_connections_refused_total") == 1)
            held.removeAll()
            try await Self.waitFor("edge_connections_open", 0, cache)
            let again = try RawConnection(port: port)
            again.send("GET /healthz HTTP/1.0\r\n\r\n")
            #expect(await again.readUntilClosed().text.hasPrefix("HTTP/1.1 200 OK"))
        }
    }

    /// Waits (at most 10 s) until a metric of the edge reaches `value`.
    static func waitFor(_ series: String, _ value: Double, _ cache: EdgeCache) async throws {
        try await withTimeLimit {
            while metricValue(cache.metrics.exposition(), series) != value {
                await Task.yield()
            }
        }
    }

    @Test("NIO's 400 for an unparsable request is followed by closing the connection")
    func badRequestCloses() async throws {
        try await Self.withEdge(policy: ConnectionPolicy()) { port, _ in
            let connection = try RawConnection(port: port)
            connection.send("NOT HTTP AT ALL\r\n\r\n")
            let (text, closed) = await connection.readUntilClosed()
            #expect(text.hasPrefix("HTTP/1.1 400 Bad Request"))
            #expect(closed, "the socket is closed, as Connection: close says")
        }
    }

    @Test(
        "a client that half-closes after its request still gets the answer: a miss, a hit and own endpoints",
        arguments: ["/v1/projects/wk/settings", "/v1/projects/wk/settings", "/healthz", "/metrics"])
    func halfClose(_ path: String) async throws {
        try await Self.withEdge(policy: ConnectionPolicy()) { port, _ in
            for _ in 0..<2 {
                let connection = try RawConnection(port: port)
                connection.send("GET \(path) HTTP/1.1\r\nHost: edge\r\n\r\n")
                connection.shutdownWrite()
                let (text, closed) = await connection.readUntilClosed()
                #expect(text.hasPrefix("HTTP/1.1 200 OK"), "\(path): \(text.prefix(80))")
                #expect(closed)
            }
        }
    }

    @Test("the edge's own endpoints answer only their methods: TRACE, PUT and DELETE get 405 with Allow")
    func ownEndpointMethods() async throws {
        try await Self.withEdge(policy: ConnectionPolicy()) { port, _ in
            for (method, path, allow) in [
                ("TRACE", "/healthz", "GET, HEAD"), ("TRACE", "/metrics", "GET, HEAD"),
                ("PUT", "/manifest-loader.js", "GET, HEAD"), ("DELETE", "/demo", "GET, HEAD"),
                ("POST", "/healthz", "GET, HEAD"), ("TRACE", "/.edge/purge", "POST"),
                // Through the cache, unsafe methods are forwarded (RFC 9111 §4.4); TRACE never is.
                ("TRACE", "/v1/projects/wk/settings", "GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE"),
            ] {
                let connection = try RawConnection(port: port)
                connection.send("\(method) \(path) HTTP/1.1\r\nHost: edge\r\nConnection: close\r\n\r\n")
                let text = await connection.readUntilClosed().text
                #expect(text.hasPrefix("HTTP/1.1 405 Method Not Allowed"), "\(method) \(path)")
                #expect(
                    text.contains("Allow: \(allow)\r\n") || text.contains("allow: \(allow)\r\n"), "\(method) \(path)")
            }
            let head = try RawConnection(port: port)
            head.send("HEAD /healthz HTTP/1.1\r\nHost: edge\r\nConnection: close\r\n\r\n")
            let text = await head.readUntilClosed().text
            #expect(text.hasPrefix("HTTP/1.1 200 OK"))
            #expect(text.hasSuffix("\r\n\r\n"), "no body after HEAD")
        }
    }

    @Test("pipelined requests: answers in order, each head framed by Content-Length; HEAD has the GET's length")
    func pipelined() async throws {
        try await Self.withEdge(policy: ConnectionPolicy()) { port, _ in
            let connection = try RawConnection(port: port)
            connection.send(
                "GET /a HTTP/1.1\r\nHost: edge\r\n\r\nGET /a HTTP/1.1\r\nHost: edge\r\n\r\n"
                    + "HEAD /a HTTP/1.1\r\nHost: edge\r\n\r\nGET /b HTTP/1.1\r\nHost: edge\r\nConnection: close\r\n\r\n"
            )
            let (text, closed) = await connection.readUntilClosed()
            #expect(closed)
            var rest = Substring(text)
            var answers: [(head: String, body: String)] = []
            for isHead in [false, false, true, false] {
                guard let end = rest.range(of: "\r\n\r\n") else { break }
                let head = String(rest[..<end.lowerBound])
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("Content-Length: ") }
                    .flatMap { Int($0.dropFirst("Content-Length: ".count)) }
                let body = rest[end.upperBound...].prefix(isHead ? 0 : length ?? 0)
                answers.append((head, String(body)))
                rest = rest[end.upperBound...].dropFirst(body.count)
            }
            #expect(rest.isEmpty, "nothing after the last answer")
            try #require(answers.count == 4)
            #expect(answers.allSatisfy { $0.head.hasPrefix("HTTP/1.1 200 OK\r\n") })
            #expect(answers.map(\.body) == ["/a v1", "/a v1", "", "/b v1"])
            #expect(answers.allSatisfy { $0.head.contains("\r\nContent-Length: 5") })
            #expect(answers[0].head.contains("; fwd=miss"))
            #expect(answers[1].head.contains("; hit"))
            #expect(answers[2].head.contains("; hit"))
            #expect(answers.allSatisfy { $0.head.contains("\r\nAge: ") })
            #expect(answers.map { $0.head.contains("\r\nconnection: close") } == [false, false, false, true])
        }
    }

    @Test("HTTP/1.1 without Host, or with two, is a 400 and the connection closes; HTTP/1.0 needs none")
    func hostRequired() async throws {
        try await Self.withEdge(policy: ConnectionPolicy()) { port, _ in
            for request in [
                "GET /healthz HTTP/1.1\r\n\r\n", "GET /v1/projects/wk/settings HTTP/1.1\r\n\r\n",
                "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            ] {
                let connection = try RawConnection(port: port)
                connection.send(request)
                let (text, closed) = await connection.readUntilClosed()
                #expect(text.hasPrefix("HTTP/1.1 400 Bad Request"), "\(request)")
                #expect(text.contains("Host"))
                #expect(closed)
            }
            let old = try RawConnection(port: port)
            old.send("GET /healthz HTTP/1.0\r\n\r\n")
            #expect(await old.readUntilClosed().text.hasPrefix("HTTP/1.1 200 OK"))
        }
    }
}
