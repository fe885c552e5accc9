import Foundation
import ManifestBuilder

/// The repository's fixtures, found from this file's place in the checkout: the one place that
/// walks `#filePath`.
package enum Fixtures {
    /// The repository root.
    package static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    package static let directory = root.appendingPathComponent("fixtures")
    package static let catalogFile = directory.appendingPathComponent("catalog.json")
    package static let acmeFile = directory.appendingPathComponent("workspaces/acme.json")
    package static let invalidDirectory = directory.appendingPathComponent("workspaces/invalid")
    package static let sdkDirectory = directory.appendingPathComponent("sdk")
    /// Where tests leave what a person may want to look at (screenshots).
    package static let artefacts = root.appendingPathComponent("artefacts")

    package static func catalog() throws -> Catalog {
        try InputDocument.load(Catalog.self, from: catalogFile)
    }

    package static func acme() throws -> Workspace {
        try InputDocument.load(Workspace.self, from: acmeFile)
    }

    package static func bundles(for catalog: Catalog) throws -> BundleSet {
        try BundleSet.load(catalog: catalog, from: sdkDirectory)
    }
}

/// A fresh directory under the system's temporary directory, removed by `remove()` (tests call
/// it in a `defer`).
package struct TemporaryDirectory: Sendable {
    package let url: URL

    package init(_ prefix: String = "manifest-tests") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    package func file(_ name: String) -> URL {
        url.appendingPathComponent(name)
    }

    package func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
