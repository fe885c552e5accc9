import Foundation
import Logging
import ManifestBuilder
import ManifestControl
import ManifestPostgres
import Synchronization

/// Which stores a command opens: SQLite in the data directory (the default, no server needed),
/// or one PostgreSQL database for the origin's log and the control plane's state (`--store
/// postgres://...` or `MANIFEST_STORE`). The signing key and the secrets key stay files in the
/// data directory either way: every replica needs the same copies.
extension DataDirectoryOptions {
    /// The PostgreSQL URL chosen, if any.
    var storeURL: String? {
        store ?? ProcessInfo.processInfo.environment["MANIFEST_STORE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The origin store.
    func openStore() async throws -> any OriginStore {
        guard let url = storeURL else {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return try SQLiteOriginStore(path: storeFile.path, beforeCommit: FaultInjection.beforeCommit)
        }
        return PostgresOriginStore(
            database: try await PostgresDatabases.open(url), beforeCommit: FaultInjection.beforeCommit)
    }

    /// The control plane's state store, and the key its secrets are sealed with.
    func openControlStore(catalog: Catalog) async throws -> (any WorkspaceStateStore, SecretsKey) {
        guard let url = storeURL else { return try ControlDataDirectory(url: directory).openStore(catalog: catalog) }
        let secrets = try SecretsKey.loadOrCreate(in: directory)
        let sealer = WorkspaceSealer(catalog: catalog, key: secrets)
        return (PostgresWorkspaceStateStore(database: try await PostgresDatabases.open(url), sealer: sealer), secrets)
    }
}

/// One connection pool per database URL in this process, shared by the stores opened on it.
enum PostgresDatabases {
    private static let opened = Mutex<[String: PostgresDatabase]>([:])

    static func open(_ url: String) async throws -> PostgresDatabase {
        if let database = opened.withLock({ $0[url] }) { return database }
        let location: PostgresLocation
        do {
            location = try PostgresLocation(url: url)
        } catch {
            throw UnusableInput(error.description)
        }
        let database: PostgresDatabase
        do {
            database = try await PostgresDatabase.open(location, logger: quietLogger("manifest.postgres"))
        } catch {
            throw UnusableInput("\(error)")
        }
        return opened.withLock { opened in
            if let existing = opened[url] { return existing }
            opened[url] = database
            return database
        }
    }
}
