import Foundation
import Hummingbird
import Logging
import ManifestEdge
import ManifestHTTP
import ManifestOrigin
import ManifestSimulation
import ManifestTLS

/// Runs `router` on a real socket at 127.0.0.1 on a free port for the duration of `body`.
package func withLiveServer<Result: Sendable>(
    _ router: Router<BasicRequestContext>, _ body: @Sendable (_ port: Int) async throws -> Result
) async throws -> Result {
    try await withLiveServer(responder: router.buildResponder(), body)
}

/// Runs `responder` on a real socket at 127.0.0.1 on a free port for the duration of `body`.
package func withLiveServer<Responder: HTTPResponder, Result: Sendable>(
    responder: Responder, _ body: @Sendable (_ port: Int) async throws -> Result
) async throws -> Result where Responder.Context == BasicRequestContext {
    try await withServers { try await body(try await $0.start(responder: responder)) }
}

/// Runs `origin` as `manifest serve origin` serves it, on 127.0.0.1 for the duration of `body`.
package func withLiveOrigin<Result: Sendable>(
    _ origin: OriginController, _ body: @Sendable (_ port: Int) async throws -> Result
) async throws -> Result {
    try await withServers { try await body(try await $0.start(origin: origin)) }
}

/// Runs the edge's NIO server on 127.0.0.1 on a free port for the duration of `body`.
package func withEdgeServer<Result: Sendable>(
    _ server: EdgeResponder, policy: ConnectionPolicy = ConnectionPolicy(), tls: ServerTLSContext? = nil,
    _ body: @Sendable (_ port: Int) async throws -> Result
) async throws -> Result {
    try await withServers { try await body(try await $0.start(server, policy: policy, tls: tls)) }
}

/// Runs `router` as the origin serves it, under `policy`, on 127.0.0.1 for the duration of `body`.
package func withLiveServer<Result: Sendable>(
    _ router: Router<BasicRequestContext>, policy: ConnectionPolicy, connections: ConnectionLimiter,
    _ body: @Sendable (_ port: Int) async throws -> Result
) async throws -> Result {
    try await withServers {
        try await body(
            try await $0.start(responder: router.buildResponder(), policy: policy, connections: connections))
    }
}

/// Stops whatever `body` started, however it ends.
package func withServers<Result: Sendable>(_ body: (LocalServers) async throws -> Result) async throws -> Result {
    let servers = LocalServers(logger: .test)
    do {
        let result = try await body(servers)
        await servers.stopAll()
        return result
    } catch {
        await servers.stopAll()
        throw error
    }
}

/// A TCP socket on 127.0.0.1 that accepts connections into its backlog and never answers:
/// what a hung origin looks like to a client. With `listening: false` the port is bound but
/// refuses connections, and no other server can take it while this lives.
package final class SilentListener {
    package let port: Int
    private let descriptor: Int32

    package init(listening: Bool = true) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0, !listening || listen(descriptor, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(descriptor, $0, &length) }
        }
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        close(descriptor)
    }
}
