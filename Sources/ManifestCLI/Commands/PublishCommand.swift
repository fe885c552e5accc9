import ArgumentParser
import Foundation
import ManifestBuilder

struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Validate a workspace, then compile, sign and store every changed source's manifest.",
        discussion:
            "Nothing is published when the workspace is invalid. Exit status: 0 published, 1 invalid, 2 unreadable input."
    )

    @Argument(help: "The workspace file (JSON).")
    var workspace: String

    @OptionGroup var catalog: CatalogOption
    @OptionGroup var sdk: SDKOption
    @OptionGroup var cdn: CDNOption
    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var validity: ValidityOption

    func run() async throws {
        let (loadedCatalog, loadedWorkspace) = try catalog.load(workspace: workspace)
        let bundles = try sdk.load(for: loadedCatalog)
        let publisher = Publisher(
            compiler: ManifestCompiler(catalog: loadedCatalog, bundles: bundles, cdnBase: cdn.cdnUrl),
            key: try data.loadKey(), store: try await data.openStore(),
            policy: validity.policy)
        do {
            let result = try await publisher.publish(loadedWorkspace, now: Date())
            print(ReportText.render(result))
        } catch PublishError.invalid(let report) {
            print(ReportText.render(report, for: workspace))
            print("nothing was published")
            throw ExitCode(1)
        }
    }
}
