import Hummingbird
import Logging
import ManifestBuilder
import NIOCore
import ServiceLifecycle

/// An origin and edges on free 127.0.0.1 ports in this process, each edge following the
/// origin's invalidation stream: for the demo, and for runs against real servers.
public final class LoopbackDeployment: Sendable {
    public let originPort: Int
    public let edgePorts: [Int]
    public let edges: [EdgeCache]
    /// Each edge's invalidation stream subscriber, in the order of `edges`.
    public let subscribers: [InvalidationSubscriber]
    private let services: ServiceGroup
    private let running: Task<Void, any Error>

    private init(
        originPort: Int, edgePorts: [Int], edges: [EdgeCache], subscribers: [InvalidationSubscriber], services: ServiceGroup,
        running: Task<Void, any Error>
    ) {
        self.originPort = originPort
        self.edgePorts = edgePorts
        self.edges = edges
        self.subscribers = subscribers
        self.services = services
        self.running = running
    }

    public static func start(
        store: any OriginStore, publicKey: PublicSigningKey, policy: OriginCachePolicy = .init(), edges edgeCount: Int = 2,
        clock: any EdgeClock = SystemClock(), purgeToken: String? = nil, logger: Logger = Logger(label: "manifest.loopback")
    ) async throws -> LoopbackDeployment {
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let origin = Application(
            router: OriginServer(store: store, publicKey: publicKey, policy: policy).makeRouter(),
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "manifest-origin"),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger)
        let originServices = ServiceGroup(services: [origin], logger: logger)
        let originTask = Task { try await originServices.run() }
        var iterator = ports.makeAsyncIterator()
        guard let originPort = await iterator.next() else { throw CancellationError() }

        let caches = (0..<edgeCount).map { index in
            EdgeCache(upstream: CurlUpstream(baseURL: "http://127.0.0.1:\(originPort)"),
                      configuration: .init(name: "edge-\(index)"), clock: clock, logger: logger)
        }
        let subscribers = caches.map { cache in
            InvalidationSubscriber(
                upstream: CurlUpstream(baseURL: "http://127.0.0.1:\(originPort)", timeout: .seconds(5)), cache: cache, wait: 2,
                logger: logger)
        }
        let (edgeBindings, bindingContinuation) = AsyncStream.makeStream(of: (index: Int, port: Int).self)
        let edgeServers = zip(caches, subscribers).enumerated().map { index, edge in
            EdgeHTTPServer(
                server: EdgeServer(cache: edge.0, purgeToken: purgeToken, relay: edge.1), host: "127.0.0.1", port: 0, logger: logger
            ) { bindingContinuation.yield((index, $0)) }
        }
        let edgeServices = ServiceGroup(services: edgeServers + subscribers as [any Service], logger: logger)
        let running = Task {
            try await edgeServices.run()
            await originServices.triggerGracefulShutdown()
            try await originTask.value
        }
        var edgePorts = [Int](repeating: 0, count: edgeCount)
        var bound = 0
        for await binding in edgeBindings {
            edgePorts[binding.index] = binding.port
            bound += 1
            if bound == edgeCount { break }
        }
        return LoopbackDeployment(
            originPort: originPort, edgePorts: edgePorts, edges: caches, subscribers: subscribers, services: edgeServices,
            running: running)
    }

    /// Stops the edges, then the origin, letting requests in progress finish.
    public func stop() async {
        await services.triggerGracefulShutdown()
        _ = try? await running.value
    }
}
