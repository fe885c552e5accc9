import HTTPTypes
import ManifestHTTP
import NIOCore
import Synchronization
import Testing

/// A replica that answers or fails as told, counting its requests.
private final class ScriptedReplica: Upstream {
    let name: String
    let failing: Mutex<Bool>
    let requests = Mutex(0)

    init(_ name: String, failing: Bool = false) {
        self.name = name
        self.failing = Mutex(failing)
    }

    func fetch(_ path: String, headerFields: HTTPFields) async throws(UpstreamError) -> UpstreamResponse {
        requests.withLock { $0 += 1 }
        if failing.withLock({ $0 }) { throw .unreachable("\(name) refused") }
        return UpstreamResponse(status: .ok, headerFields: [:], body: ByteBuffer(string: name))
    }
}

@Suite("Failover between origin replicas")
struct FailoverUpstreamTests {
    func body(_ response: UpstreamResponse) -> String { String(buffer: response.body) }

    @Test("the first replica serves while it is up; a failure moves the request on and skips it for a while")
    func failover() async throws {
        let clock = ManualClock()
        let (a, b) = (ScriptedReplica("a"), ScriptedReplica("b"))
        let upstream = FailoverUpstream(replicas: [a, b], downFor: .seconds(5), clock: clock)
        #expect(body(try await upstream.fetch("/x", headerFields: [:])) == "a")

        a.failing.withLock { $0 = true }
        #expect(body(try await upstream.fetch("/x", headerFields: [:])) == "b", "moved on, no error")
        #expect(upstream.replicasUp == [false, true])
        #expect(body(try await upstream.fetch("/x", headerFields: [:])) == "b")
        #expect(a.requests.withLock { $0 } == 2, "a is skipped while marked down")

        a.failing.withLock { $0 = false }
        clock.advance(by: .seconds(6))
        #expect(body(try await upstream.fetch("/x", headerFields: [:])) == "a", "tried again after downFor")
        #expect(upstream.replicasUp == [true, true])
    }

    @Test("with every replica down each is tried once more, then the last error is the answer")
    func allDown() async throws {
        let (a, b) = (ScriptedReplica("a", failing: true), ScriptedReplica("b", failing: true))
        let upstream = FailoverUpstream(replicas: [a, b], clock: ManualClock())
        await #expect(throws: UpstreamError.unreachable("b refused")) {
            try await upstream.fetch("/x", headerFields: [:])
        }
        await #expect(throws: UpstreamError.self) { try await upstream.fetch("/x", headerFields: [:]) }
        #expect(a.requests.withLock { $0 } == 2 && b.requests.withLock { $0 } == 2)
        b.failing.withLock { $0 = false }
        #expect(body(try await upstream.fetch("/x", headerFields: [:])) == "b")
    }
}
