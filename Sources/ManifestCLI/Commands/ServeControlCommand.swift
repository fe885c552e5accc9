import ArgumentParser
import Hummingbird
import ManifestControl

/// `manifest serve control`: the Config API and the operator console (`/console`) on their own
/// listener, publishing every change.
struct ServeControlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "control",
        abstract: "Run the Config API and the operator console (never exposed by the origin or the edge).")

    @OptionGroup var catalog: CatalogOption
    @OptionGroup var sdk: SDKOption
    @OptionGroup var cdn: CDNOption
    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var listen: ListenOptions
    @OptionGroup var tls: TLSOptions

    @Option(help: "The origin's base URL: the console shows which of its edges serve each new version.")
    var origin: String?

    @Flag(help: "Mark the console's session cookie Secure (implied by --tls-cert): the console is reached over HTTPS.")
    var secureCookies = false

    func run() async throws {
        let logger = bootstrapLogging("manifest.control", listen.logLevel)
        let tlsContext = try tls.context(applicationProtocols: ["http/1.1"])
        let setup = try await ControlPlaneSetup.open(catalog: catalog, sdk: sdk, cdn: cdn, data: data, logger: logger)
        let failures = try await setup.publisher.republishAll()
        if failures > 0 {
            logger.warning("some sources could not be published on start", metadata: ["failures": "\(failures)"])
        }
        let plane = try ControlPlane(
            store: setup.store, catalog: setup.catalog, secrets: setup.secrets, publisher: setup.publisher,
            logger: logger, edges: origin.map(OriginSubscribers.init(origin:)),
            secureCookies: secureCookies || tlsContext != nil)
        let scheme = tlsContext == nil ? "http" : "https"
        logger.info("console at \(scheme)://\(listen.host):\(listen.port)/console (sign in with a workspace token)")
        let reloader = tlsContext.map { [CertificateReloader(tls: $0, logger: logger)] } ?? []
        try await plane.makeApplication(host: listen.host, port: listen.port, tls: tlsContext, services: reloader)
            .runService()
    }
}
