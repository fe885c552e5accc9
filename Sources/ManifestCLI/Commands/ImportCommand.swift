import ArgumentParser
import Foundation
import ManifestBuilder
import ManifestControl

/// `manifest import FILE`: loads a workspace file into the control plane, all or nothing.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Load a workspace file into the control plane (checked first; all or nothing)."
    )

    @Argument(help: "The workspace file (JSON).") var workspace: String
    @OptionGroup var catalog: CatalogOption
    @OptionGroup var data: DataDirectoryOptions

    func run() async throws {
        let loaded = try catalog.load()
        let (store, _) = try await data.openControlStore(catalog: loaded)
        let url = URL(fileURLWithPath: workspace)
        guard let bytes = FileManager.default.contents(atPath: url.path) else {
            throw UnusableInput("\(workspace): cannot read the file")
        }
        do {
            let stored = try await WorkspaceTransfer(store: store, catalog: loaded)
                .importWorkspace(bytes, file: url.relativePath, actor: "cli:import")
            print(
                "imported \(stored.workspace.id) as revision \(stored.revision); `manifest serve control` publishes it")
        } catch TransferError.invalid(let report) {
            print(ReportText.render(report, for: workspace))
            print("nothing was imported")
            throw ExitCode(1)
        } catch let error as InputError {
            throw UnusableInput(error)
        }
    }
}
