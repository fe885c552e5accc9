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

    @Option(help: "The origin's base URL: the console shows which of its edges serve each new version.")
    var origin: String?

    @Flag(help: "Mark the console's session cookie Secure: set when the console is reached over HTTPS.")
    var secureCookies = false

    func run() async throws {
        let logger = bootstrapLogging("manifest.control", listen.logLevel)
        let setup = try await ControlPlaneSetup.open(catalog: catalog, sdk: sdk, cdn: cdn, data: data, logger: logger)
        let failures = try await setup.publisher.republishAll()
        if failures > 0 {
            logger.warning("some sources could not be published on start", metadata: ["failures": "\(failures)"])
        }
        let plane = try ControlPlane(
            store: setup.store, catalog: setup.catalog, secrets: setup.secrets, publisher: setup.publisher,
            logger: logger, edges: origin.map(OriginSubscribers.init(origin:)), secureCookies: secureCookies)
        logger.info("console at http://\(listen.host):\(listen.port)/console (sign in with a workspace token)")
        try await plane.makeApplication(host: listen.host, port: listen.port).runService()
    }
}
