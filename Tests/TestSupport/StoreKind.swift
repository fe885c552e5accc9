import Foundation
import GRDB
import Logging
import ManifestBuilder
import ManifestControl
import ManifestPostgres
import Testing

/// The two stores every contract test runs against.
package enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    package var testDescription: String { rawValue }

    /// A fresh, empty store location of this kind: a file in a temporary directory, or a new
    /// database in the suite's throwaway cluster. Cancels the test when PostgreSQL is missing.
    package func location() async throws -> StoreLocation {
        switch self {
        case .sqlite:
            return StoreLocation(kind: self, directory: try TemporaryDirectory("stores"), url: nil, cluster: nil)
        case .postgres:
            guard let cluster = PostgresCluster.current else {
                try Test.cancel(Comment(rawValue: PostgresCluster.unavailableMessage))
            }
            return StoreLocation(
                kind: self, directory: try TemporaryDirectory("stores"), url: try await cluster.createDatabase(),
                cluster: cluster)
        }
    }
}

/// One empty store location, opened as many times as a test needs (several store objects on
/// one database stand for several processes or replicas).
package struct StoreLocation: Sendable {
    package let kind: StoreKind
    package let directory: TemporaryDirectory
    /// The PostgreSQL URL (nil for SQLite).
    package let url: String?
    package let cluster: PostgresCluster?

    /// The PostgreSQL database's name, the last part of `url`.
    private var databaseName: String { String(url!.split(separator: "/").last!) }

    package var sqlitePath: String { directory.file("origin.sqlite").path }

    package func openDatabase() async throws -> PostgresDatabase {
        // A minute to connect: a loaded machine running the whole suite can be slow to start
        // the pool's task.
        try await PostgresDatabase.open(
            try PostgresLocation(url: url!), timeout: .seconds(60),
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
    }

    package func originStore(beforeCommit: @escaping @Sendable () -> Void = {}) async throws -> any OriginStore {
        switch kind {
        case .sqlite: try SQLiteOriginStore(path: sqlitePath, beforeCommit: beforeCommit)
        case .postgres: PostgresOriginStore(database: try await openDatabase(), beforeCommit: beforeCommit)
        }
    }

    package func workspaceStore() async throws -> any WorkspaceStateStore {
        let sealer = WorkspaceSealer(catalog: TestCatalog.catalog, key: try SecretsKey.loadOrCreate(in: directory.url))
        return switch kind {
        case .sqlite: try SQLiteWorkspaceStateStore(path: sqlitePath, sealer: sealer)
        case .postgres: PostgresWorkspaceStateStore(database: try await openDatabase(), sealer: sealer)
        }
    }

    /// Runs SQL behind the stores' backs, as any client of the database could; throws when the
    /// database refuses it.
    package func execute(_ sql: String) async throws {
        try await onOwnThread { try executeNow(sql) }
    }

    private func executeNow(_ sql: String) throws {
        switch kind {
        case .sqlite:
            try DatabaseQueue(path: sqlitePath).write { try $0.execute(sql: sql) }
        case .postgres:
            try cluster!.psql(sql, database: databaseName)
        }
    }

    /// The integer a counting query returns, in the dialect of this kind's database.
    package func count(_ postgres: String, sqlite: String) async throws -> Int {
        try await onOwnThread { try countNow(postgres, sqlite: sqlite) }
    }

    private func countNow(_ postgres: String, sqlite: String) throws -> Int {
        switch kind {
        case .sqlite:
            try DatabaseQueue(path: sqlitePath).read { try Int.fetchOne($0, sql: sqlite) } ?? -1
        case .postgres:
            Int(try cluster!.psql(postgres, database: databaseName)) ?? -1
        }
    }

    package func remove() { directory.remove() }
}
