import ArgumentParser
import Foundation
import ManifestControl

/// `manifest export ID`: the stored workspace in the file format (secrets included: mode 0600).
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write a workspace from the control plane in the workspace file format.")

    @Argument(help: "The workspace id.") var workspace: String
    @Option(name: .shortAndLong, help: "The file to write (mode 0600); standard output when left out.")
    var output: String?
    @OptionGroup var catalog: CatalogOption
    @OptionGroup var data: DataDirectoryOptions

    func run() async throws {
        let loaded = try catalog.load()
        let (store, _) = try await data.openControlStore(catalog: loaded)
        let bytes = try await WorkspaceTransfer(store: store, catalog: loaded).exportWorkspace(id: workspace)
        guard let output else {
            FileHandle.standardOutput.write(bytes + Data("\n".utf8))
            return
        }
        guard FileManager.default.createFile(atPath: output, contents: bytes, attributes: [.posixPermissions: 0o600])
        else {
            throw UnusableInput("cannot write \(output)")
        }
    }
}
