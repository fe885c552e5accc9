import Foundation
import GRDB
import Synchronization

/// The origin store in one SQLite file (WAL mode): an append-only log of manifest versions and
/// the immutable bundles. Triggers refuse any update or delete, so history cannot be rewritten.
public final class SQLiteOriginStore: OriginStore {
    private let pool: DatabasePool
    private let beforeCommit: @Sendable () -> Void
    /// Shared by every store object on the same file in this process, so that a control plane
    /// publishing through its own object wakes the origin's long polls at once. Publishes by
    /// other processes are signalled too, by a `SQLiteCommitWatch` on the file.
    public let publishSignals: PublishSignals

    /// Opens (and creates or migrates) the store at `path`. `beforeCommit` runs inside the
    /// publish transaction just before it commits: a fault-injection point for tests that kill
    /// a publisher mid-publish.
    public init(path: String, beforeCommit: @escaping @Sendable () -> Void = {}) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.prepareDatabase { db in
            // Bodies are a few KiB: larger pages keep most of them out of overflow chains.
            // Ignored once the file exists.
            try db.execute(sql: "PRAGMA page_size = 16384")
            // WAL with NORMAL sync: a commit survives a crash of this process (the
            // kill-mid-publish guarantee); only a power loss can drop the last commits.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        self.pool = try DatabasePool(path: path, configuration: configuration)
        self.beforeCommit = beforeCommit
        self.publishSignals = Self.signals(path: path)
        try Self.migrator.migrate(pool)
    }

    private static let signalsByFile = Mutex<[String: PublishSignals]>([:])

    private static func signals(path: String) -> PublishSignals {
        let file = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        return signalsByFile.withLock { signals in
            if let existing = signals[file] { return existing }
            let created = PublishSignals(coversOtherProcesses: true) { signals in
                SQLiteCommitWatch.start(path: file, signals: signals)
            }
            signals[file] = created
            return created
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE manifests (
                        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                        write_key TEXT NOT NULL,
                        source_id TEXT NOT NULL,
                        version INTEGER NOT NULL CHECK (version > 0),
                        content_hash TEXT NOT NULL,
                        published_at INTEGER NOT NULL,
                        expires_at INTEGER NOT NULL,
                        key_id TEXT NOT NULL,
                        surrogate_keys TEXT NOT NULL,
                        body BLOB NOT NULL,
                        signature BLOB NOT NULL,
                        UNIQUE (write_key, version)
                    );
                    CREATE TABLE bundles (
                        path TEXT PRIMARY KEY,
                        destination_id TEXT NOT NULL,
                        integrity TEXT NOT NULL,
                        body BLOB NOT NULL
                    );
                    CREATE TRIGGER manifests_append_only_update BEFORE UPDATE ON manifests
                        BEGIN SELECT RAISE(ABORT, 'manifests are append-only'); END;
                    CREATE TRIGGER manifests_append_only_delete BEFORE DELETE ON manifests
                        BEGIN SELECT RAISE(ABORT, 'manifests are append-only'); END;
                    CREATE TRIGGER bundles_immutable_update BEFORE UPDATE ON bundles
                        BEGIN SELECT RAISE(ABORT, 'bundles are immutable'); END;
                    CREATE TRIGGER bundles_immutable_delete BEFORE DELETE ON bundles
                        BEGIN SELECT RAISE(ABORT, 'bundles are immutable'); END;
                    """)
        }
        // Issue 16: the marker a file publish leaves (`PublishMarker`); not append-only, since
        // each one is replaced or dropped once the log moves on.
        migrator.registerMigration("v2-publish-markers") { db in
            try db.execute(sql: PublishMarkerSQL.createTable)
        }
        return migrator
    }

    public func append<Plan: Sendable>(
        writeKeys: [String]?, _ prepare: @escaping @Sendable ([String: PublishedHead]) throws -> (PublishBatch, Plan)
    ) async throws -> Plan {
        try await transaction { db, write in
            let (batch, plan) = try prepare(try Self.heads(writeKeys, db))
            try write(batch)
            return plan
        }
    }

    /// Each batch is inserted as it comes, inside the one transaction: SQLite keeps what is
    /// written in its page cache and WAL, not in this process's heap. The heads of a whole
    /// workspace (`writeKeys` nil) are looked up a batch at a time on a reader connection: it
    /// sees the log as this transaction found it, since no one else can commit while it holds
    /// the write lock, and it is not the writer's, which `prepare` may be writing on meanwhile.
    public func appendBatches<Plan: Sendable>(
        writeKeys: [String]?,
        _ prepare:
            @escaping @Sendable (
                _ heads: PublishedHeads, _ write: (PublishBatch) throws -> Void
            ) throws -> Plan
    ) async throws -> Plan {
        let pool = self.pool
        return try await transaction { db, write in
            let heads =
                if let writeKeys {
                    PublishedHeads(try Self.heads(writeKeys, db))
                } else {
                    PublishedHeads { writeKeys in try pool.read { try Self.heads(writeKeys, $0) } }
                }
            return try prepare(heads, write)
        }
    }

    /// Runs `body` in one immediate transaction, with a `write` that inserts a batch, and
    /// signals the publish once committed.
    private func transaction<Plan: Sendable>(
        _ body: @escaping @Sendable (Database, _ write: (PublishBatch) throws -> Void) throws -> Plan
    ) async throws -> Plan {
        let beforeCommit = self.beforeCommit
        let (plan, last) = try await pool.writeWithoutTransaction { db in
            var result: (Plan, Int64?)?
            try db.inTransaction(.immediate) {
                var last: Int64?
                let prepared = try body(db) { batch in
                    try Self.insert(batch.bundles, db)
                    try Self.insert(batch.manifests, db)
                    if !batch.manifests.isEmpty { last = db.lastInsertedRowID }
                    if let marker = batch.marker { try Self.record(marker, db) }
                }
                beforeCommit()
                result = (prepared, last)
                return .commit
            }
            return result!
        }
        if let last { publishSignals.send(last) }
        return plan
    }

    /// The latest version of each of `writeKeys` that has one; of every write key when nil.
    private static func heads(_ writeKeys: [String]?, _ db: Database) throws -> [String: PublishedHead] {
        var heads: [String: PublishedHead] = [:]
        func collect(_ rows: RowCursor) throws {
            while let row = try rows.next() {
                guard let writeKey = row["write_key"] as String? else { continue }
                heads[writeKey] = PublishedHead(
                    version: row["version"], contentHash: row["content_hash"],
                    expiresAt: Date(timeIntervalSince1970: TimeInterval(row["expires_at"] as Int64)))
            }
        }
        let columns = "SELECT write_key, version, content_hash, expires_at FROM manifests"
        if let writeKeys {
            let statement = try db.cachedStatement(
                sql: columns + " WHERE write_key = ? ORDER BY version DESC LIMIT 1")
            for writeKey in writeKeys { try collect(try Row.fetchCursor(statement, arguments: [writeKey])) }
        } else {
            // SQLite takes the bare columns from the row that holds the MAX.
            try collect(
                try Row.fetchCursor(
                    db,
                    sql: "SELECT write_key, MAX(version) AS version, content_hash, expires_at FROM manifests "
                        + "GROUP BY write_key"))
        }
        return heads
    }

    private static func insert(_ bundles: [BundleArtifact], _ db: Database) throws {
        for bundle in bundles {
            let existing = try String.fetchOne(
                db, sql: "SELECT integrity FROM bundles WHERE path = ?", arguments: [bundle.path])
            switch existing {
            case nil:
                try db.execute(
                    sql: "INSERT INTO bundles (path, destination_id, integrity, body) VALUES (?, ?, ?, ?)",
                    arguments: [bundle.path, bundle.destinationID, bundle.integrity, Data(bundle.bytes)])
            case bundle.integrity?: continue
            case _?: throw OriginStoreError.bundleConflict(path: bundle.path)
            }
        }
    }

    private static func insert(_ manifests: [SignedManifest], _ db: Database) throws {
        let statement = try db.makeStatement(
            sql: """
                INSERT INTO manifests (write_key, source_id, version, content_hash, published_at, expires_at, key_id,
                                       surrogate_keys, body, signature)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for manifest in manifests {
            guard WriteKey.isValid(manifest.writeKey) else { throw OriginStoreError.invalidWriteKey(manifest.writeKey) }
            try statement.execute(arguments: [
                manifest.writeKey, manifest.sourceID, manifest.version, manifest.contentHash,
                Int64(manifest.publishedAt.timeIntervalSince1970), Int64(manifest.expiresAt.timeIntervalSince1970),
                manifest.keyID, manifest.surrogateKeys.joined(separator: " "), Data(manifest.body),
                Data(manifest.signature),
            ])
        }
    }

    /// Records `marker` with the log's head as this transaction leaves it (nothing is written
    /// after the batch that carries it), and drops markers of older heads.
    private static func record(_ marker: PublishMarker, _ db: Database) throws {
        let head = try Int64.fetchOne(db, sql: PublishMarkerSQL.logHead) ?? 0
        try db.execute(sql: PublishMarkerSQL.dropOthers, arguments: [head])
        try db.execute(
            sql: PublishMarkerSQL.upsert,
            arguments: [
                marker.inputDigest, head, marker.manifests, Int64(marker.refreshAt.timeIntervalSince1970),
            ])
    }

    public func publishMarker(inputDigest: String) async throws -> PublishMarker? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: PublishMarkerSQL.current, arguments: [inputDigest]).map { row in
                PublishMarker(
                    inputDigest: inputDigest, manifests: row["manifests"],
                    refreshAt: Date(timeIntervalSince1970: TimeInterval(row["refresh_at"] as Int64)))
            }
        }
    }

    public func latest(writeKey: String) async throws -> SignedManifest? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM manifests WHERE write_key = ? ORDER BY version DESC LIMIT 1",
                arguments: [writeKey]
            ).map(Self.manifest)
        }
    }

    public func manifest(writeKey: String, version: Int) async throws -> SignedManifest? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM manifests WHERE write_key = ? AND version = ?",
                arguments: [writeKey, version]
            ).map(Self.manifest)
        }
    }

    public func history(writeKey: String) async throws -> [ManifestVersionInfo] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT write_key, version, content_hash, published_at, expires_at, length(body) AS size
                    FROM manifests WHERE write_key = ? ORDER BY version
                    """, arguments: [writeKey]
            ).map { row in
                ManifestVersionInfo(
                    writeKey: row["write_key"], version: row["version"], contentHash: row["content_hash"],
                    publishedAt: Date(timeIntervalSince1970: TimeInterval(row["published_at"] as Int64)),
                    expiresAt: Date(timeIntervalSince1970: TimeInterval(row["expires_at"] as Int64)),
                    size: row["size"])
            }
        }
    }

    public func bundle(path: String) async throws -> BundleArtifact? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM bundles WHERE path = ?", arguments: [path]).map { row in
                BundleArtifact(
                    destinationID: row["destination_id"], path: row["path"], bytes: Array(row["body"] as Data))
            }
        }
    }

    public func events(after sequence: Int64, limit: Int) async throws -> [PublishEvent] {
        // Cached statements: the invalidation stream asks these on every check and every wake.
        try await pool.read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT sequence, write_key, version, surrogate_keys FROM manifests
                        WHERE sequence > ? ORDER BY sequence LIMIT ?
                        """), arguments: [sequence, limit]
            ).map { row in
                PublishEvent(
                    sequence: row["sequence"], writeKey: row["write_key"], version: row["version"],
                    surrogateKeys: (row["surrogate_keys"] as String).split(separator: " ").map(String.init))
            }
        }
    }

    public func lastSequence() async throws -> Int64 {
        try await pool.read { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(sequence), 0) FROM manifests")) ?? 0
        }
    }

    private static func manifest(_ row: Row) -> SignedManifest {
        SignedManifest(
            writeKey: row["write_key"], sourceID: row["source_id"], version: row["version"],
            contentHash: row["content_hash"],
            publishedAt: Date(timeIntervalSince1970: TimeInterval(row["published_at"] as Int64)),
            expiresAt: Date(timeIntervalSince1970: TimeInterval(row["expires_at"] as Int64)),
            keyID: row["key_id"],
            surrogateKeys: (row["surrogate_keys"] as String).split(separator: " ").map(String.init),
            body: Array(row["body"] as Data), signature: Array(row["signature"] as Data))
    }
}
