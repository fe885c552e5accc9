import ArgumentParser
import Foundation
import ManifestBuilder

/// The catalog every command that reads a workspace needs.
struct CatalogOption: ParsableArguments {
    @Option(name: .long, help: "The destination catalog (JSON).")
    var catalog: String = "fixtures/catalog.json"

    func load() throws(UnusableInput) -> Catalog {
        try loadFile().catalog
    }

    /// The catalog and its file's bytes, which a file publish's input digest covers.
    func loadFile() throws(UnusableInput) -> (catalog: Catalog, bytes: Data) {
        let url = URL(fileURLWithPath: catalog)
        do {
            let bytes = try InputDocument.read(url)
            return (try InputDocument.decode(Catalog.self, from: bytes, file: url.relativePath), bytes)
        } catch {
            throw UnusableInput(error)
        }
    }

    /// The catalog and the workspace at `path`.
    func load(workspace path: String) throws(UnusableInput) -> (Catalog, Workspace) {
        let catalog = try load()
        do {
            return (catalog, try InputDocument.load(Workspace.self, from: URL(fileURLWithPath: path)))
        } catch {
            throw UnusableInput(error)
        }
    }
}

/// A workspace file opened for `publish`, which hashes its bytes before deciding whether to
/// parse them, and then reads it a batch of sources at a time; the errors are
/// `CatalogOption.load(workspace:)`'s.
enum WorkspaceFile {
    static func open(_ path: String) throws(UnusableInput) -> MappedFile {
        do {
            return try MappedFile(URL(fileURLWithPath: path))
        } catch {
            throw UnusableInput(error)
        }
    }
}

/// How long manifests signed by this command stay valid.
struct ValidityOption: ParsableArguments {
    @Option(help: "How many days a signed manifest stays valid (more than 0, at most 3650).")
    var validityDays: Double = 7

    func validate() throws {
        guard validityDays.isFinite, validityDays > 0, validityDays <= 3650 else {
            throw ValidationError(
                "--validity-days must be a number of days above 0 and at most 3650, not \(validityDays)")
        }
    }

    /// The publish policy: valid for the given days, refreshed once 2/7 of that is left.
    var policy: PublishPolicy {
        PublishPolicy(validity: validityDays * 86_400, refreshWithin: validityDays * 86_400 * 2 / 7)
    }
}
