import ArgumentParser
import Foundation
import ManifestBuilder

struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Validate a workspace, then compile, sign and store every changed source's manifest.",
        discussion:
            "Nothing is published when the workspace is invalid. When the file, catalog, SDK bundles and options "
            + "are those of the last publish into the store, nothing was published since and no manifest is due "
            + "for refresh, the file is not parsed again (--force parses it anyway). Exit status: 0 published, 1 invalid, 2 unreadable input."
    )

    @Argument(help: "The workspace file (JSON).")
    var workspace: String

    @OptionGroup var catalog: CatalogOption
    @OptionGroup var sdk: SDKOption
    @OptionGroup var cdn: CDNOption
    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var validity: ValidityOption

    @Flag(help: "Parse, validate and compile the workspace even when its inputs are those of the last publish.")
    var force = false

    func run() async throws {
        MallocTuning.forLargeInputs()
        let (loadedCatalog, catalogFile) = try catalog.loadFile()
        let file = try WorkspaceFile.open(workspace)
        let bundles = try sdk.load(for: loadedCatalog)
        let publisher = Publisher(
            compiler: ManifestCompiler(catalog: loadedCatalog, bundles: bundles, cdnBase: cdn.cdnUrl),
            key: try data.loadKey(), store: try await data.openStore(),
            policy: validity.policy)
        do {
            try await publish(file, catalogFile: catalogFile, with: publisher)
            // A script reading the report through a pipe learns of the commit now, not at exit.
            fflush(nil)
        } catch PublishError.invalid(let report) {
            print(ReportText.render(report, for: workspace))
            print("nothing was published")
            throw ExitCode(1)
        }
    }

    /// The publish, with a progress line on a terminal that ends before anything else is printed,
    /// and its result printed a line at a time as it is read back after the commit. Skipped
    /// without parsing the file when its inputs are those of the last publish
    /// (`Publisher.publishFile`).
    private func publish(_ file: MappedFile, catalogFile: Data, with publisher: Publisher) async throws {
        let progress = PublishProgress()
        defer { progress.finish() }
        do {
            try await publisher.publishFile(
                file, catalogFile: catalogFile, build: BuildIdentity.current, force: force, now: Date(),
                progress: progress.update,
                summary: { summary in
                    progress.finish()
                    print(ReportText.render(summary))
                },
                change: { print(ReportText.render($0)) })
        } catch let error as InputError {
            throw UnusableInput(error)
        }
    }
}
