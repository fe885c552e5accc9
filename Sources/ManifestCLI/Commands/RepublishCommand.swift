import ArgumentParser
import ManifestControl

/// `manifest republish`: publishes every source the control plane holds, as `serve control`
/// does on start; what converges a change whose publish failed, without a restart.
struct RepublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "republish", abstract: "Publish every control-plane workspace (unchanged sources are skipped).")

    @OptionGroup var catalog: CatalogOption
    @OptionGroup var sdk: SDKOption
    @OptionGroup var cdn: CDNOption
    @OptionGroup var data: DataDirectoryOptions

    func run() async throws {
        let logger = bootstrapLogging("manifest.republish", .warning)
        let setup = try await ControlPlaneSetup.open(catalog: catalog, sdk: sdk, cdn: cdn, data: data, logger: logger)
        let failures = try await setup.publisher.republishAll()
        guard failures == 0 else {
            print("\(failures) source(s) could not be published; see the log above")
            throw ExitCode(1)
        }
        print("every source is published")
    }
}
