import Foundation
import ManifestBuilder

/// The repository's fixtures: the catalog, the Acme workspace and the SDK stubs.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let catalogURL = root.appendingPathComponent("fixtures/catalog.json")
    static let acmeURL = root.appendingPathComponent("fixtures/workspaces/acme.json")
    static let sdkURL = root.appendingPathComponent("fixtures/sdk", isDirectory: true)

    static let catalog: Catalog = try! InputDocument.load(Catalog.self, from: catalogURL)
    static let acme: Workspace = try! InputDocument.load(Workspace.self, from: acmeURL)

    /// A small workspace with one empty source of each kind, for the rules tests.
    static let rules = Workspace(
        id: "ws_rules", name: "Rules",
        sources: [
            Source(id: "web", name: "Web", kind: .web, writeKey: "wk_rules_web"),
            Source(id: "ios", name: "iOS", kind: .mobile, writeKey: "wk_rules_ios"),
            Source(id: "srv", name: "Server", kind: .server, writeKey: "wk_rules_srv"),
            Source(id: "proj", name: "Project", kind: .project, writeKey: "wk_rules_proj"),
        ])
}
