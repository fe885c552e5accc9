import ArgumentParser
import Foundation
import HTTPTypes
import Logging
import ManifestEdge
import ManifestHTTP
import ServiceLifecycle

struct ServeEdgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edge",
        abstract: "Run a shared cache in front of an origin (or of another edge)."
    )

    @Option(
        help: ArgumentHelp(
            "The upstream's base URL, such as http://127.0.0.1:8081.",
            discussion: "Repeat it for origin replicas (on one PostgreSQL store): the first that is up serves, a "
                + "replica that fails is skipped for 5 s, and the invalidation stream follows whichever is up."))
    var origin: [String]

    @OptionGroup var listen: ListenOptions

    @OptionGroup var tls: TLSOptions

    @Option(help: "PEM file of the certificate authorities to trust for an https:// --origin (a private CA).")
    var originCA: String?

    @Option(
        help: ArgumentHelp(
            "Codings to compress stored responses with, for clients that accept them: br, gzip, or none.",
            discussion: "Each stored JSON, JavaScript or text response of 256 bytes or more is compressed once, "
                + "when stored. With gzip, the identity bytes are dropped and decoded again (then kept) only for "
                + "a client that asks for them."))
    var compression: [String] = ContentCoding.allCases.map(\.rawValue)

    @Option(help: "This edge's name in Cache-Status and in the origin's list of subscribers: give each edge its own.")
    var name = "manifest-edge"

    @Option(help: "The most bytes of responses the cache holds.")
    var cacheBytes = 256 << 20

    @Option(help: "Milliseconds before an upstream request times out.")
    var originTimeoutMs = 2000

    @Option(help: "The bearer token purges need (default: $MANIFEST_PURGE_TOKEN; none disables purging).")
    var purgeToken: String?

    @Flag(help: "Refuse POST, PUT, PATCH, DELETE and other unsafe methods (405) instead of forwarding them.")
    var readOnly = false

    @Option(
        name: .customLong("forward-header"),
        help: "A request field to send upstream besides Accept, Accept-Encoding, Accept-Language and Authorization.")
    var forwardedHeaders: [String] = []

    @Flag(
        inversion: .prefixedNo,
        help: "Follow the upstream's invalidation stream (/v1/events), and relay it to edges behind this one.")
    var invalidationStream = true

    func validate() throws {
        guard !origin.isEmpty else { throw ValidationError("give the upstream with --origin") }
        try OptionChecks.require(cacheBytes, in: 1...(1 << 40), "--cache-bytes")
        try OptionChecks.require(originTimeoutMs, in: 1...600_000, "--origin-timeout-ms")
        for coding in compression where coding != "none" && ContentCoding(rawValue: coding) == nil {
            throw ValidationError("--compression \(coding) is not one of br, gzip, none")
        }
        for name in forwardedHeaders where HTTPField.Name(name) == nil {
            throw ValidationError("--forward-header \(name) is not a field name")
        }
    }

    func run() async throws {
        let logger = bootstrapLogging("manifest.edge", listen.logLevel)
        var configuration = EdgeConfiguration(name: name, byteBudget: cacheBytes)
        configuration.forwardsUnsafeMethods = !readOnly
        configuration.forwardedRequestFields += forwardedHeaders.compactMap { HTTPField.Name($0) }
        configuration.compression = compression.compactMap(ContentCoding.init(rawValue:))
        let tlsContext = try tls.context()
        let cache = EdgeCache(
            upstream: upstream(timeout: .milliseconds(originTimeoutMs)),
            configuration: configuration, logger: logger)
        let subscriber =
            invalidationStream
            ? InvalidationSubscriber(
                upstream: upstream(timeout: .seconds(30)), cache: cache, logger: logger)
            : nil
        let server = EdgeResponder(
            cache: cache, purgeToken: purgeToken ?? ProcessInfo.processInfo.environment["MANIFEST_PURGE_TOKEN"],
            relay: subscriber)
        var services: [any Service] = [
            EdgeHTTPServer(
                server: server, host: listen.host, port: listen.port, policy: listen.policy, tls: tlsContext,
                logger: logger)
        ]
        if let subscriber { services.append(subscriber) }
        if let tlsContext { services.append(CertificateReloader(tls: tlsContext, logger: logger)) }
        try await ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
    }

    /// The origin, or its replicas behind one failover upstream.
    private func upstream(timeout: Duration) -> any Upstream {
        let replicas = origin.map { CurlUpstream(baseURL: $0, timeout: timeout, trustedCAFile: originCA) }
        return replicas.count == 1 ? replicas[0] : FailoverUpstream(replicas: replicas)
    }
}
