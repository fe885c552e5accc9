import Foundation
import Logging
import ManifestBuilder

/// The control plane's files in a data directory: the state in `origin.sqlite` (next to the
/// origin store's tables) and the secrets key in `control-secrets.key`. What the CLI opens.
public struct ControlDataDirectory: Sendable {
    public let url: URL

    public init(url: URL) {
        self.url = url
    }

    public var databaseFile: URL { url.appendingPathComponent("origin.sqlite") }

    /// Opens the state store, creating the directory and the secrets key when missing.
    public func openStore(catalog: Catalog) throws -> (SQLiteWorkspaceStateStore, SecretsKey) {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let secrets = try SecretsKey.loadOrCreate(in: url)
        let store = try SQLiteWorkspaceStateStore(
            path: databaseFile.path, sealer: WorkspaceSealer(catalog: catalog, key: secrets))
        return (store, secrets)
    }

    /// A live publisher into the origin store of this directory.
    public func livePublisher(
        store: any WorkspaceStateStore, compiler: ManifestCompiler, key: SigningKey, logger: Logger
    ) throws -> LivePublisher {
        let origin = try SQLiteOriginStore(path: databaseFile.path)
        return LivePublisher(
            publisher: Publisher(compiler: compiler, key: key, store: origin), store: store, logger: logger,
            now: { Date() })
    }
}
