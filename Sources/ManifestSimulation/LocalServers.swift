import Hummingbird
import Logging
import ManifestEdge
import ManifestHTTP
import ManifestOrigin
import ManifestTLS
import NIOCore
import ServiceLifecycle
import Synchronization

/// Servers on free 127.0.0.1 ports in this process, started one by one and stopped together:
/// what the loopback deployment and the simulator's loopback runs stand on.
package final class LocalServers: Sendable {
    private let running = Mutex<[(group: ServiceGroup, task: Task<Void, any Error>)]>([])
    private let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    /// Serves `router` (an origin) and returns its port.
    package func start(_ router: Router<BasicRequestContext>) async throws -> Int {
        try await start(responder: router.buildResponder())
    }

    /// Serves an origin as `manifest serve origin` does (its long polls from the end of the log
    /// answered on the event loop) and returns its port.
    package func start(origin: OriginController, policy: ConnectionPolicy = ConnectionPolicy()) async throws -> Int {
        try await start(responder: origin.makeRouter().buildResponder(), policy: policy, longPolls: origin)
    }

    /// Serves any Hummingbird responder (as the origin serves, under `policy`) and returns its port.
    package func start<Responder: HTTPResponder>(
        responder: Responder, policy: ConnectionPolicy = ConnectionPolicy(), connections: ConnectionLimiter? = nil,
        longPolls: OriginController? = nil
    ) async throws -> Int
    where Responder.Context == BasicRequestContext {
        let connections = connections ?? ConnectionLimiter(maxConnections: policy.maxConnections)
        return try await start { yield in
            Application(
                responder: responder,
                server: .origin(policy: policy, connections: connections, longPolls: longPolls),
                configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { yield($0.localAddress?.port ?? 0) }, logger: self.logger)
        }
    }

    /// Serves an edge (over TLS with `tls`) and returns its port.
    package func start(
        _ server: EdgeResponder, policy: ConnectionPolicy = ConnectionPolicy(), tls: ServerTLSContext? = nil
    ) async throws -> Int {
        try await start { yield in
            EdgeHTTPServer(server: server, host: "127.0.0.1", port: 0, policy: policy, tls: tls, logger: self.logger) {
                yield($0)
            }
        }
    }

    /// Runs a service that listens on nothing (an invalidation subscriber) until `stopAll`.
    package func run(_ service: some Service) {
        let group = ServiceGroup(services: [service], logger: logger)
        running.withLock { $0.append((group, Task { try await group.run() })) }
    }

    /// Stops everything, the last started first.
    package func stopAll() async {
        let all = running.withLock { running in
            defer { running = [] }
            return running
        }
        for (group, task) in all.reversed() {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
        }
    }

    private func start(_ make: (@escaping @Sendable (Int) -> Void) -> some Service) async throws -> Int {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let group = ServiceGroup(services: [make { continuation.yield($0) }], logger: logger)
        let task = Task { try await group.run() }
        running.withLock { $0.append((group, task)) }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return port
    }
}
