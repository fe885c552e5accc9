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
        MallocTuning.forLargeInputs()
        let (loadedCatalog, loadedWorkspace) = try catalog.load(workspace: workspace)
        let bundles = try sdk.load(for: loadedCatalog)
        let publisher = Publisher(
            compiler: ManifestCompiler(catalog: loadedCatalog, bundles: bundles, cdnBase: cdn.cdnUrl),
            key: try data.loadKey(), store: try await data.openStore(),
            policy: validity.policy)
        do {
            print(ReportText.render(try await publish(loadedWorkspace, with: publisher)))
        } catch PublishError.invalid(let report) {
            print(ReportText.render(report, for: workspace))
            print("nothing was published")
            throw ExitCode(1)
        }
    }

    /// The publish, with a progress line on a terminal that ends before anything else is printed.
    private func publish(_ workspace: Workspace, with publisher: Publisher) async throws -> PublishResult {
        let progress = PublishProgress()
        defer { progress.finish() }
        return try await publisher.publish(workspace, now: Date(), progress: progress.update)
    }
}
