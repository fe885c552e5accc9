import ArgumentParser
import Foundation
import ManifestBuilder

/// The main job on the embedded defaults: validate the fixture workspace, then build, sign and
/// publish its manifests into a fresh origin store, change a source and publish again.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the local demo on the fixture workspace."
    )

    @Option(help: "The workspace file (JSON).")
    var workspace: String = "fixtures/workspaces/acme.json"

    @OptionGroup var catalog: CatalogOption

    @Option(help: "The directory of SDK stubs.")
    var sdkDir: String = "fixtures/sdk"

    func run() async throws {
        let loadedCatalog: Catalog
        var loaded: Workspace
        do {
            loadedCatalog = try catalog.load()
            loaded = try InputDocument.load(Workspace.self, from: URL(fileURLWithPath: workspace))
        } catch {
            throw exitUnreadable(error)
        }
        let report = ConnectionRules(catalog: loadedCatalog).validate(loaded)
        section("1. Validate")
        print(ReportText.summary(of: loaded))
        print("")
        print(ReportText.render(report, for: workspace))
        guard report.isValid else { throw ExitCode(1) }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("manifest-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let key = SigningKey()
        let store = try SQLiteOriginStore(path: directory.appendingPathComponent("origin.sqlite").path)
        let bundles = try BundleSet.load(catalog: loadedCatalog, from: URL(fileURLWithPath: sdkDir, isDirectory: true))
        let publisher = Publisher(
            compiler: ManifestCompiler(catalog: loadedCatalog, bundles: bundles, cdnBase: "http://127.0.0.1:8080"),
            key: key, store: store)

        section("2. Build, sign and publish into \(directory.path)/origin.sqlite (key \(key.publicKey.keyID))")
        print(ReportText.render(try await publisher.publish(loaded, now: Date())))

        guard let web = loaded.sources.firstIndex(where: { $0.kind == .web }) else { return }
        let writeKey = loaded.sources[web].writeKey
        section("3. Add a device-mode destination to '\(loaded.sources[web].name)' and publish again")
        loaded.sources[web].instances.append(DestinationInstance(
            id: "demo-pendo", name: "Pendo", destination: "Pendo", mode: .device, settings: ["apiKey": "demo-pendo-key"]))
        print(ReportText.render(try await publisher.publish(loaded, now: Date())))

        section("4. History of \(writeKey)")
        print(ReportText.render(history: try await store.history(writeKey: writeKey), writeKey: writeKey))
        if let latest = try await store.latest(writeKey: writeKey) {
            let verified = try ManifestVerifier(keys: [key.publicKey]).verify(
                body: latest.body, signature: latest.signature, keyID: latest.keyID, expectedWriteKey: writeKey, now: Date())
            print("v\(verified.version) verifies against key \(latest.keyID); \(latest.body.count) bytes, "
                + "expires \(ManifestTime.format(verified.expiresAt))")
        }
    }

    private func section(_ title: String) {
        print("\n== \(title)\n")
    }
}
