import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ManifestBuilder
import ManifestEdge
import ServiceLifecycle

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the origin or an edge cache (stops gracefully on SIGTERM or SIGINT).",
        subcommands: [ServeOriginCommand.self, ServeEdgeCommand.self]
    )
}

struct ListenOptions: ParsableArguments {
    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0 picks a free one).")
    var port: Int

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

struct ServeOriginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "origin",
        abstract: "Serve published manifests, bundles and the signing key from the origin store."
    )

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var listen: ListenOptions

    @Option(help: "Seconds an edge keeps the latest settings (CDN-Cache-Control max-age).")
    var edgeTtl = 1800

    @Option(help: "Seconds a browser keeps the latest settings (Cache-Control max-age).")
    var browserMaxAge = 60

    @Option(help: "Seconds an edge may serve stale settings while revalidating.")
    var staleWhileRevalidate = 60

    @Option(help: "Seconds an edge may serve stale settings while the origin fails.")
    var staleIfError = 86_400

    func run() async throws {
        let logger = bootstrapLogging("manifest.origin", listen.logLevel)
        guard let keyFile = FileManager.default.contents(atPath: data.publicKeyFile.path),
            let publicKey = try? JSONDecoder().decode(PublicSigningKey.self, from: keyFile)
        else {
            throw fail("no public key at \(data.publicKeyFile.relativePath): run `manifest keygen` and `manifest publish` first")
        }
        let policy = OriginCachePolicy(
            edgeTTL: .seconds(edgeTtl), staleWhileRevalidate: .seconds(staleWhileRevalidate),
            staleIfError: .seconds(staleIfError), browserMaxAge: .seconds(browserMaxAge))
        let server = OriginServer(store: try data.openStore(), publicKey: publicKey, policy: policy)
        let app = Application(
            router: server.makeRouter(),
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: "manifest-origin"),
            logger: logger)
        try await app.runService()
    }
}

struct ServeEdgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edge",
        abstract: "Run a shared cache in front of an origin (or of another edge)."
    )

    @Option(help: "The upstream's base URL, such as http://127.0.0.1:8081.")
    var origin: String

    @OptionGroup var listen: ListenOptions

    @Option(help: "This edge's name in Cache-Status.")
    var name = "manifest-edge"

    @Option(help: "The most bytes of responses the cache holds.")
    var cacheBytes = 256 << 20

    @Option(help: "Milliseconds before an upstream request times out.")
    var originTimeoutMs = 2000

    @Option(help: "The bearer token purges need (default: $MANIFEST_PURGE_TOKEN; none disables purging).")
    var purgeToken: String?

    @Flag(inversion: .prefixedNo, help: "Follow the upstream's invalidation stream (/v1/events), and relay it to edges behind this one.")
    var invalidationStream = true

    func run() async throws {
        let logger = bootstrapLogging("manifest.edge", listen.logLevel)
        let cache = EdgeCache(
            upstream: CurlUpstream(baseURL: origin, timeout: .milliseconds(originTimeoutMs)),
            configuration: EdgeConfiguration(name: name, byteBudget: cacheBytes), logger: logger)
        let subscriber = invalidationStream
            ? InvalidationSubscriber(upstream: CurlUpstream(baseURL: origin, timeout: .seconds(30)), cache: cache, logger: logger)
            : nil
        let server = EdgeServer(
            cache: cache, purgeToken: purgeToken ?? ProcessInfo.processInfo.environment["MANIFEST_PURGE_TOKEN"], relay: subscriber)
        var services: [any Service] = [EdgeHTTPServer(server: server, host: listen.host, port: listen.port, logger: logger)]
        if let subscriber { services.append(subscriber) }
        try await ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
    }
}

/// Logs to standard error through swift-log; bootstrapped once, here in the executable.
func bootstrapLogging(_ label: String, _ level: Logger.Level) -> Logger {
    LoggingSystem.bootstrap(StreamLogHandler.standardError)
    var logger = Logger(label: label)
    logger.logLevel = level
    return logger
}
