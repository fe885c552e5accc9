import Logging
import ManifestBuilder
import ManifestControl

/// What `serve control` and `republish` both open: the control plane's store and sealed
/// secrets in the data directory, and the publisher that turns its changes into manifests.
struct ControlPlaneSetup {
    let catalog: Catalog
    let store: SQLiteWorkspaceStateStore
    let secrets: SecretsKey
    let publisher: LivePublisher

    init(catalog option: CatalogOption, sdk: SDKOption, cdn: CDNOption, data: DataDirectoryOptions, logger: Logger)
        throws
    {
        catalog = try option.load()
        let directory = ControlDataDirectory(url: data.directory)
        (store, secrets) = try directory.openStore(catalog: catalog)
        publisher = try directory.livePublisher(
            store: store,
            compiler: ManifestCompiler(catalog: catalog, bundles: try sdk.load(for: catalog), cdnBase: cdn.cdnUrl),
            key: try data.loadKey(), logger: logger)
    }
}
