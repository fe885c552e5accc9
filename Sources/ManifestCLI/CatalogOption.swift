import ArgumentParser
import Foundation
import ManifestBuilder

/// The catalog every command that reads a workspace needs.
struct CatalogOption: ParsableArguments {
    @Option(name: .long, help: "The destination catalog (JSON).")
    var catalog: String = "fixtures/catalog.json"

    func load() throws(InputError) -> Catalog {
        try InputDocument.load(Catalog.self, from: URL(fileURLWithPath: catalog))
    }

    /// The catalog and a workspace, or exit 2 with the input error.
    func load(workspace path: String) throws -> (Catalog, Workspace) {
        do {
            return (try load(), try InputDocument.load(Workspace.self, from: URL(fileURLWithPath: path)))
        } catch {
            throw exitUnreadable(error)
        }
    }
}

/// Prints an input error for people and exits with 2 (unreadable or malformed input).
func exitUnreadable(_ error: InputError) -> ExitCode {
    fail(error.description)
}

/// Prints `message` as an error and exits with 2: the command could not work with its input.
func fail(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    return ExitCode(2)
}
