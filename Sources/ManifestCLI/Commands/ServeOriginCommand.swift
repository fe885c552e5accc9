import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ManifestBuilder
import ManifestHTTP
import ManifestOrigin

struct ServeOriginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "origin",
        abstract: "Serve published manifests, bundles and the signing key from the origin store."
    )

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var listen: ListenOptions
    @OptionGroup var tls: TLSOptions

    @Option(help: "Seconds an edge keeps the latest settings (CDN-Cache-Control max-age).")
    var edgeTtl = 1800

    @Option(help: "Seconds a browser keeps the latest settings (Cache-Control max-age).")
    var browserMaxAge = 60

    @Option(help: "Seconds an edge may serve stale settings while revalidating.")
    var staleWhileRevalidate = 60

    @Option(help: "Seconds an edge may serve stale settings while the origin fails.")
    var staleIfError = 86_400

    func validate() throws {
        try OptionChecks.require(edgeTtl, in: 0...31_536_000, "--edge-ttl")
        try OptionChecks.require(browserMaxAge, in: 0...31_536_000, "--browser-max-age")
        try OptionChecks.require(staleWhileRevalidate, in: 0...31_536_000, "--stale-while-revalidate")
        try OptionChecks.require(staleIfError, in: 0...31_536_000, "--stale-if-error")
    }

    static let serverName = "manifest-origin"

    func run() async throws {
        let logger = bootstrapLogging("manifest.origin", listen.logLevel)
        let publicKey = try data.loadPublicKey()
        let policy = OriginCachePolicy(
            edgeTTL: .seconds(edgeTtl), staleWhileRevalidate: .seconds(staleWhileRevalidate),
            staleIfError: .seconds(staleIfError), browserMaxAge: .seconds(browserMaxAge))
        let server = OriginController(store: try await data.openStore(), publicKey: publicKey, policy: policy)
        let connections = ConnectionLimiter(maxConnections: listen.maxConnections)
        let tlsContext = try tls.context(applicationProtocols: ["http/1.1"])
        let app = Application(
            router: server.makeRouter(),
            server: .origin(
                policy: listen.policy, connections: connections, tls: tlsContext, longPolls: server,
                serverName: Self.serverName),
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: Self.serverName),
            services: tlsContext.map { [CertificateReloader(tls: $0, logger: logger)] } ?? [], logger: logger)
        try await app.runService()
    }
}
