import Foundation
import Logging
import ManifestBuilder
import ManifestControl

/// What `serve control` and `republish` both open: the control plane's store and sealed
/// secrets (SQLite in the data directory or `--store`), and the publisher that turns its
/// changes into manifests in the origin store beside it.
struct ControlPlaneSetup {
    let catalog: Catalog
    let store: any WorkspaceStateStore
    let secrets: SecretsKey
    let publisher: LivePublisher

    static func open(
        catalog option: CatalogOption, sdk: SDKOption, cdn: CDNOption, data: DataDirectoryOptions, logger: Logger
    ) async throws -> ControlPlaneSetup {
        let catalog = try option.load()
        let (store, secrets) = try await data.openControlStore(catalog: catalog)
        let compiler = ManifestCompiler(catalog: catalog, bundles: try sdk.load(for: catalog), cdnBase: cdn.cdnUrl)
        let publisher = LivePublisher(
            publisher: Publisher(compiler: compiler, key: try data.loadKey(), store: try await data.openStore()),
            store: store, logger: logger, now: { Date() })
        return ControlPlaneSetup(catalog: catalog, store: store, secrets: secrets, publisher: publisher)
    }
}
