import Foundation
import HTTPTypes
import Hummingbird
import TestSupport
import Testing

@testable import ManifestHTTP

@Suite("libcurl HTTP client against a real server on loopback")
struct CurlHTTPClientTests {
    static func router() -> Router<BasicRequestContext> {
        let router = Router(options: .autoGenerateHeadEndpoints)
        router.get("/hello") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            headers[.eTag] = "\"v1\""
            return Response(
                status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: #"{"hello":"world"}"#)))
        }
        router.get("/conditional") { request, _ -> Response in
            request.headers[.ifNoneMatch] == "\"v1\""
                ? Response(status: .notModified)
                : Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "fresh")))
        }
        router.get("/fail") { _, _ -> Response in Response(status: .serviceUnavailable) }
        return router
    }

    @Test("GET returns the status, header fields and body")
    func get() async throws {
        try await withLiveServer(Self.router()) { port in
            let client = CurlHTTPClient()
            let response = try await client.execute(.init(url: "http://127.0.0.1:\(port)/hello"))
            #expect(response.status == .ok)
            #expect(response.headerFields[.contentType] == "application/json")
            #expect(response.headerFields[.eTag] == "\"v1\"")
            #expect(String(decoding: response.body, as: UTF8.self) == #"{"hello":"world"}"#)
        }
    }

    @Test("HEAD returns the header fields and no body")
    func head() async throws {
        try await withLiveServer(Self.router()) { port in
            let response = try await CurlHTTPClient().execute(
                .init(method: .head, url: "http://127.0.0.1:\(port)/hello"))
            #expect(response.status == .ok)
            #expect(response.headerFields[.eTag] == "\"v1\"")
            #expect(response.body.isEmpty)
        }
    }

    @Test("request header fields reach the server: a conditional GET gets 304")
    func conditional() async throws {
        try await withLiveServer(Self.router()) { port in
            let client = CurlHTTPClient()
            let url = "http://127.0.0.1:\(port)/conditional"
            let notModified = try await client.execute(.init(url: url, headerFields: [.ifNoneMatch: "\"v1\""]))
            #expect(notModified.status == .notModified)
            let fresh = try await client.execute(.init(url: url, headerFields: [.ifNoneMatch: "\"v0\""]))
            #expect(fresh.status == .ok)
            #expect(String(decoding: fresh.body, as: UTF8.self) == "fresh")
        }
    }

    @Test("a 5xx and a 404 are responses, not errors")
    func errorStatuses() async throws {
        try await withLiveServer(Self.router()) { port in
            let client = CurlHTTPClient()
            let unavailable = try await client.execute(.init(url: "http://127.0.0.1:\(port)/fail"))
            let missing = try await client.execute(.init(url: "http://127.0.0.1:\(port)/missing"))
            #expect(unavailable.status == .serviceUnavailable)
            #expect(missing.status == .notFound)
        }
    }

    @Test("many concurrent requests all complete")
    func concurrent() async throws {
        try await withLiveServer(Self.router()) { port in
            // Completion is the point, not speed: patient on a machine busy with the other suites.
            let client = CurlHTTPClient(configuration: .init(timeout: .seconds(30), connectTimeout: .seconds(30)))
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await client.execute(.init(url: "http://127.0.0.1:\(port)/hello")).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.count == 50)
            #expect(statuses.allSatisfy { $0 == .ok })
        }
    }

    @Test("a refused connection is a CurlError")
    func refused() async throws {
        // Bound but not listening: refused, and no other test's server can take the port meanwhile.
        let closed = try SilentListener(listening: false)
        await #expect(throws: CurlError.self) {
            try await CurlHTTPClient().execute(.init(url: "http://127.0.0.1:\(closed.port)/hello"))
        }
    }

    @Test("a server that never answers times out")
    func timeout() async throws {
        let silent = try SilentListener()
        let error = await #expect(throws: CurlError.self) {
            try await CurlHTTPClient().execute(
                .init(url: "http://127.0.0.1:\(silent.port)/", timeout: .milliseconds(200)))
        }
        #expect(error?.isTimeout == true)
    }

    @Test("shutdown fails the transfer in flight, returns once the thread is gone, and refuses later requests")
    func shutdown() async throws {
        let silent = try SilentListener()
        let client = CurlHTTPClient()
        let inFlight = Task {
            try await client.execute(.init(url: "http://127.0.0.1:\(silent.port)/", timeout: .seconds(60)))
        }
        // A first request that completes proves the driver thread is running.
        await #expect(throws: CurlError.self) { try await client.execute(.init(url: "http://127.0.0.1:1/")) }
        await client.shutdown()
        await #expect(throws: CurlError.shutdown) { try await inFlight.value }
        await #expect(throws: CurlError.shutdown) {
            try await client.execute(.init(url: "http://127.0.0.1:1/"))
        }
    }

    @Test("shutting down a client that never ran returns at once")
    func shutdownUnused() async {
        await CurlHTTPClient().shutdown()
    }

    @Test("cancelling the task stops a transfer at once, long before its deadline")
    func cancellation() async throws {
        let silent = try SilentListener()
        let url = "http://127.0.0.1:\(silent.port)/"
        let client = CurlHTTPClient()
        let started = ContinuousClock.now
        let request = Task { try await client.execute(.init(url: url, timeout: .seconds(60))) }
        request.cancel()
        await #expect(throws: CurlError.self) { try await request.value }
        #expect(ContinuousClock.now - started < .seconds(30))
    }
}
