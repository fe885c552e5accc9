import ArgumentParser
import Hummingbird
import ManifestControl

/// `manifest serve control`: the Config API on its own listener, publishing every change.
struct ServeControlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "control", abstract: "Run the Config API control plane (never exposed by the origin or the edge).")

    @OptionGroup var catalog: CatalogOption
    @OptionGroup var sdk: SDKOption
    @OptionGroup var cdn: CDNOption
    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var listen: ListenOptions

    func run() async throws {
        let logger = bootstrapLogging("manifest.control", listen.logLevel)
        let setup = try ControlPlaneSetup(catalog: catalog, sdk: sdk, cdn: cdn, data: data, logger: logger)
        let failures = try await setup.publisher.republishAll()
        if failures > 0 {
            logger.warning("some sources could not be published on start", metadata: ["failures": "\(failures)"])
        }
        let plane = try ControlPlane(
            store: setup.store, catalog: setup.catalog, secrets: setup.secrets, publisher: setup.publisher,
            logger: logger)
        try await plane.makeApplication(host: listen.host, port: listen.port).runService()
    }
}
