import Logging
import ManifestBuilder
import ManifestEdge
import ManifestHTTP
import ManifestOrigin

/// An origin and edges on free 127.0.0.1 ports in this process, each edge following the
/// origin's invalidation stream: for the demo, and for runs against real servers.
public final class LoopbackDeployment: Sendable {
    public let originPort: Int
    public let edgePorts: [Int]
    public let edges: [EdgeCache]
    /// Each edge's invalidation stream subscriber, in the order of `edges`.
    public let subscribers: [InvalidationSubscriber]
    private let servers: LocalServers

    private init(
        originPort: Int, edgePorts: [Int], edges: [EdgeCache], subscribers: [InvalidationSubscriber],
        servers: LocalServers
    ) {
        self.originPort = originPort
        self.edgePorts = edgePorts
        self.edges = edges
        self.subscribers = subscribers
        self.servers = servers
    }

    public static func start(
        store: any OriginStore, publicKey: PublicSigningKey, policy: OriginCachePolicy = .init(),
        edges edgeCount: Int = 2,
        clock: any WallClock = SystemClock(), purgeToken: String? = nil, logger: Logger
    ) async throws -> LoopbackDeployment {
        let servers = LocalServers(logger: logger)
        do {
            let originPort = try await servers.start(
                origin: OriginController(store: store, publicKey: publicKey, policy: policy))
            let origin = "http://127.0.0.1:\(originPort)"
            var edges: [EdgeCache] = []
            var subscribers: [InvalidationSubscriber] = []
            var edgePorts: [Int] = []
            for index in 0..<edgeCount {
                let cache = EdgeCache(
                    upstream: CurlUpstream(baseURL: origin), configuration: .init(name: "edge-\(index)"),
                    clock: clock, logger: logger)
                let subscriber = InvalidationSubscriber(
                    upstream: CurlUpstream(baseURL: origin, timeout: .seconds(5)), cache: cache, wait: 2, logger: logger
                )
                edgePorts.append(
                    try await servers.start(EdgeResponder(cache: cache, purgeToken: purgeToken, relay: subscriber)))
                servers.run(subscriber)
                edges.append(cache)
                subscribers.append(subscriber)
            }
            return LoopbackDeployment(
                originPort: originPort, edgePorts: edgePorts, edges: edges, subscribers: subscribers, servers: servers)
        } catch {
            await servers.stopAll()
            throw error
        }
    }

    /// Stops the subscribers and edges, then the origin, letting requests in progress finish.
    public func stop() async {
        await servers.stopAll()
    }
}
