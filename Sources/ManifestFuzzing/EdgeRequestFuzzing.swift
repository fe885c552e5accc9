import Dispatch
import Foundation
import HTTPTypes
import Logging
import ManifestEdge
import ManifestHTTP
import ManifestSimulation
import NIOCore

/// The edge's request path end to end: the bytes go to a real `EdgeHTTPServer` on 127.0.0.1
/// (started once per process, in front of `FuzzUpstream`), the client half-closes, and the
/// server must answer only with HTTP/1.1 responses and then close the connection.
enum EdgeRequestFuzzing {
    /// How long one exchange may take before it counts as a hang: generous, since the replay
    /// in the test suite shares a loaded machine and the concurrency pool with other tests.
    static let limit: Duration = .seconds(20)

    static func run(_ bytes: [UInt8]) {
        let port = server.port
        let (received, closed) = RawExchange.send(bytes, toPort: port, limit: limit)
        precondition(closed, "the edge kept a half-closed connection open for \(limit)")
        let text = String(decoding: received, as: UTF8.self)
        precondition(received.isEmpty || text.hasPrefix("HTTP/1.1 "), "not an HTTP/1.1 answer: \(text.prefix(80))")
    }

    /// The edge, started on first use and kept for the life of the process.
    static let server = Server()

    /// The harness is the top of its process (a fuzz executable, or the corpus replay), so it
    /// owns its one logger: silent, since the edge under fuzzing fails upstream fetches on purpose.
    static let logger = Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() })

    final class Server: Sendable {
        let port: Int
        let servers = LocalServers(logger: EdgeRequestFuzzing.logger)

        init() {
            let servers = self.servers
            let cache = EdgeCache(
                upstream: FuzzUpstream(), configuration: EdgeConfiguration(name: "fuzz-edge", byteBudget: 1 << 20),
                logger: EdgeRequestFuzzing.logger)
            let policy = ConnectionPolicy(
                headerTimeout: .seconds(2), idleTimeout: .seconds(2), bodyTimeout: .seconds(2), maxConnections: 256)
            let result = BlockingResult<Int>()
            Task {
                result.set(try? await servers.start(EdgeResponder(cache: cache, purgeToken: "fuzz"), policy: policy))
            }
            guard let port = result.wait() else { fatalError("the fuzz edge did not start") }
            self.port = port
        }
    }
}

/// A value handed from a task to a thread that waits for it (never a concurrency-pool thread).
final class BlockingResult<Value: Sendable>: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private var value: Value?

    func set(_ value: Value?) {
        self.value = value
        semaphore.signal()
    }

    func wait() -> Value? {
        semaphore.wait()
        return value
    }
}

/// The upstream behind the fuzzed edge: answers from the path, so that fuzzed requests also
/// reach the cache's handling of upstream fields. `/cc/<field>` is served with that
/// `Cache-Control` (percent-decoded), `/cdn/<field>` with that `CDN-Cache-Control`,
/// `/expires/<date>` with that `Expires`, `/vary/<names>` with that `Vary`, `/fail` fails;
/// anything else is a 200 fresh for 60 s.
struct FuzzUpstream: Upstream {
    func fetch(_ path: String, headerFields: HTTPFields) async throws(UpstreamError) -> UpstreamResponse {
        var fields: HTTPFields = [.contentType: "text/plain"]
        let parts = path.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: true)
        let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
        let safe = value.filter { $0 != "\r" && $0 != "\n" && $0 != "\0" }
        switch parts.first {
        case "cc"?: fields[.cacheControl] = safe
        case "cdn"?: fields[.cdnCacheControl] = safe
        case "expires"?: fields[.expires] = safe
        case "vary"?: fields[.vary] = safe
        case "fail"?: throw .unreachable("fuzz")
        default: fields[.cacheControl] = "max-age=60"
        }
        return UpstreamResponse(status: .ok, headerFields: fields, body: ByteBuffer(string: "fuzz \(path.count)\n"))
    }
}
