import Foundation
import Logging
import ManifestBuilder
import PostgresNIO

/// The origin store in PostgreSQL, for several origin replicas (and publishers) sharing one
/// database: the same append-only log and immutable bundles as `SQLiteOriginStore`.
///
/// Publishers are serialised by a transaction-level advisory lock taken before the heads are
/// read, so versions per write key never repeat or skip, and sequences become visible in the
/// order they were given out: a reader of `events(after:)` never sees a later publish before an
/// earlier one. Each publish sends `NOTIFY manifest_publishes` with its last sequence when it
/// commits; `publishSignals` listens, so a publish through any replica wakes the long polls of
/// all of them. A publisher that dies mid-transaction leaves nothing: the server rolls it back.
public final class PostgresOriginStore: OriginStore {
    let database: PostgresDatabase
    private let beforeCommit: @Sendable () -> Void
    public let publishSignals: PublishSignals
    private let listener: PostgresPublishListener

    /// The channel publishes are announced on.
    static let channel = "manifest_publishes"
    /// The advisory lock every publish holds until it commits.
    static let publishLock: Int64 = 0x6d61_6e69_6665_7370

    /// `beforeCommit` runs inside the publish transaction just before it commits: a
    /// fault-injection point for tests that kill a publisher mid-publish.
    public init(database: PostgresDatabase, beforeCommit: @escaping @Sendable () -> Void = {}) {
        self.database = database
        self.beforeCommit = beforeCommit
        let listener = PostgresPublishListener(database: database, channel: Self.channel)
        self.listener = listener
        self.publishSignals = PublishSignals(coversOtherProcesses: true) { listener.start(sendingTo: $0) }
    }

    private var logger: Logger { database.logger }

    public func append<Plan: Sendable>(
        writeKeys: [String]?, _ prepare: @escaping @Sendable ([String: PublishedHead]) throws -> (PublishBatch, Plan)
    ) async throws -> Plan {
        try await transaction(
            heads: { heads, _ in try await heads.read(writeKeys) },
            { heads, write in
                let (batch, plan) = try prepare(heads)
                try write(batch)
                return plan
            })
    }

    /// Each batch is inserted as it comes, inside the one transaction, while `prepare` builds the
    /// next on a thread of its own (`BatchPipe`): at most two batches wait, so a publish of many
    /// sources holds a bounded number of documents, as it does with SQLite. The heads of a whole
    /// workspace are looked up a batch at a time, as the builder asks the transaction for them
    /// through the pipe; those of a few write keys are read first.
    public func appendBatches<Plan: Sendable>(
        writeKeys: [String]?,
        _ prepare:
            @escaping @Sendable (
                _ heads: PublishedHeads, _ write: (PublishBatch) throws -> Void
            ) throws -> Plan
    ) async throws -> Plan {
        try await transaction(
            heads: { heads, pipe in
                guard let writeKeys else { return PublishedHeads { try pipe.heads($0) } }
                return PublishedHeads(try await heads.read(writeKeys))
            }, prepare)
    }

    /// Reads heads on the transaction's connection.
    private struct HeadReader: Sendable {
        let connection: PostgresConnection
        let logger: Logger

        /// The latest version of each of `writeKeys` that has one (of every write key when nil).
        func read(_ writeKeys: [String]?) async throws -> [String: PublishedHead] {
            let rows =
                if let writeKeys {
                    try await connection.query(
                        """
                        SELECT DISTINCT ON (write_key) write_key, version, content_hash, expires_at FROM manifests
                        WHERE write_key = ANY(\(writeKeys)) ORDER BY write_key, version DESC
                        """, logger: logger)
                } else {
                    try await connection.query(
                        """
                        SELECT DISTINCT ON (write_key) write_key, version, content_hash, expires_at FROM manifests
                        ORDER BY write_key, version DESC
                        """, logger: logger)
                }
            var heads: [String: PublishedHead] = [:]
            for try await (writeKey, version, contentHash, expiresAt) in rows.decode(
                (String, Int, String, Int64).self)
            {
                heads[writeKey] = PublishedHead(
                    version: version, contentHash: contentHash,
                    expiresAt: Date(timeIntervalSince1970: TimeInterval(expiresAt)))
            }
            return heads
        }
    }

    /// Runs `prepare` in one transaction, serialised by the publish lock, with the heads
    /// `readHeads` makes once the lock is held (with a reader on the transaction's connection,
    /// and the pipe through which the builder can ask for more), and a `write` that inserts a
    /// batch; notifies once committed.
    private func transaction<Heads: Sendable, Plan: Sendable>(
        heads readHeads: @escaping @Sendable (HeadReader, BatchPipe) async throws -> Heads,
        _ prepare: @escaping @Sendable (_ heads: Heads, _ write: (PublishBatch) throws -> Void) throws -> Plan
    ) async throws -> Plan {
        let beforeCommit = self.beforeCommit
        let logger = self.logger
        let (plan, last) = try await database.transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.publishLock))", logger: logger)
            let reader = HeadReader(connection: connection, logger: logger)
            let pipe = BatchPipe(capacity: 2)
            let heads = try await readHeads(reader, pipe)
            async let built = pipe.run { pipe in try prepare(heads) { try pipe.send($0) } }
            var last: Int64?
            do {
                for try await request in pipe.requests {
                    switch request {
                    case .insert(let batch):
                        try await Self.insert(batch.bundles, connection, logger)
                        last = try await Self.insert(batch.manifests, connection, logger) ?? last
                        if let marker = batch.marker { try await Self.record(marker, connection, logger) }
                        pipe.taken()
                    case .heads(let writeKeys, let answer):
                        do {
                            answer.give(.success(try await reader.read(writeKeys)))
                        } catch {
                            answer.give(.failure(error))
                            throw error
                        }
                    }
                }
            } catch {
                pipe.stop()
                _ = try? await built
                throw error
            }
            let plan = try await built
            if let last {
                try await connection.query("SELECT pg_notify(\(Self.channel), \(String(last)))", logger: logger)
            }
            beforeCommit()
            return (plan, last)
        }
        if let last { publishSignals.send(last) }
        return plan
    }

    private static func insert(_ bundles: [BundleArtifact], _ connection: PostgresConnection, _ logger: Logger)
        async throws
    {
        for bundle in bundles {
            var existing: String?
            for try await integrity in try await connection.query(
                "SELECT integrity FROM bundles WHERE path = \(bundle.path)", logger: logger
            ).decode(String.self) { existing = integrity }
            switch existing {
            case nil:
                try await connection.query(
                    """
                    INSERT INTO bundles (path, destination_id, integrity, body)
                    VALUES (\(bundle.path), \(bundle.destinationID), \(bundle.integrity), \(ByteBuffer(bytes: bundle.bytes)))
                    """, logger: logger)
            case bundle.integrity?: continue
            case _?: throw OriginStoreError.bundleConflict(path: bundle.path)
            }
        }
    }

    /// Inserts the manifests; returns the last sequence given out (nil when there were none).
    private static func insert(_ manifests: [SignedManifest], _ connection: PostgresConnection, _ logger: Logger)
        async throws -> Int64?
    {
        var last: Int64?
        for manifest in manifests {
            guard WriteKey.isValid(manifest.writeKey) else { throw OriginStoreError.invalidWriteKey(manifest.writeKey) }
            let rows = try await connection.query(
                """
                INSERT INTO manifests (write_key, source_id, version, content_hash, published_at, expires_at, key_id,
                                       surrogate_keys, body, signature)
                VALUES (\(manifest.writeKey), \(manifest.sourceID), \(manifest.version), \(manifest.contentHash),
                        \(Int64(manifest.publishedAt.timeIntervalSince1970)),
                        \(Int64(manifest.expiresAt.timeIntervalSince1970)), \(manifest.keyID),
                        \(manifest.surrogateKeys.joined(separator: " ")), \(ByteBuffer(bytes: manifest.body)),
                        \(ByteBuffer(bytes: manifest.signature)))
                RETURNING sequence
                """, logger: logger)
            for try await sequence in rows.decode(Int64.self) { last = sequence }
        }
        return last
    }

    /// Records `marker` with the log's head as this transaction leaves it (the caller writes
    /// nothing after it), and drops markers of older heads.
    private static func record(_ marker: PublishMarker, _ connection: PostgresConnection, _ logger: Logger)
        async throws
    {
        var head: Int64 = 0
        let rows = try await connection.query(PostgresQuery(unsafeSQL: PublishMarkerSQL.logHead), logger: logger)
        for try await last in rows.decode(Int64.self) { head = last }
        try await connection.query(
            PostgresQuery(unsafeSQL: PublishMarkerSQL.dropOthers, binds: try bindings(head)), logger: logger)
        try await connection.query(
            PostgresQuery(
                unsafeSQL: PublishMarkerSQL.upsert,
                binds: try bindings(
                    marker.inputDigest, head, Int64(marker.manifests),
                    Int64(marker.refreshAt.timeIntervalSince1970))),
            logger: logger)
    }

    private static func bindings(_ values: any PostgresThrowingDynamicTypeEncodable...) throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values { try bindings.append(value) }
        return bindings
    }

    public func publishMarker(inputDigest: String) async throws -> PublishMarker? {
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: PublishMarkerSQL.current, binds: try Self.bindings(inputDigest)), logger: logger)
        for try await (manifests, refreshAt) in rows.decode((Int64, Int64).self) {
            return PublishMarker(
                inputDigest: inputDigest, manifests: Int(manifests),
                refreshAt: Date(timeIntervalSince1970: TimeInterval(refreshAt)))
        }
        return nil
    }

    public func latest(writeKey: String) async throws -> SignedManifest? {
        try await manifests(
            "SELECT \(unescaped: Self.manifestColumns) FROM manifests WHERE write_key = \(writeKey) ORDER BY version DESC LIMIT 1"
        ).first
    }

    public func manifest(writeKey: String, version: Int) async throws -> SignedManifest? {
        try await manifests(
            "SELECT \(unescaped: Self.manifestColumns) FROM manifests WHERE write_key = \(writeKey) AND version = \(version)"
        ).first
    }

    public func history(writeKey: String) async throws -> [ManifestVersionInfo] {
        let rows = try await database.client.query(
            """
            SELECT write_key, version, content_hash, published_at, expires_at, length(body)
            FROM manifests WHERE write_key = \(writeKey) ORDER BY version
            """, logger: logger)
        var history: [ManifestVersionInfo] = []
        for try await (writeKey, version, contentHash, publishedAt, expiresAt, size) in rows.decode(
            (String, Int, String, Int64, Int64, Int).self)
        {
            history.append(
                ManifestVersionInfo(
                    writeKey: writeKey, version: version, contentHash: contentHash,
                    publishedAt: Date(timeIntervalSince1970: TimeInterval(publishedAt)),
                    expiresAt: Date(timeIntervalSince1970: TimeInterval(expiresAt)), size: size))
        }
        return history
    }

    public func bundle(path: String) async throws -> BundleArtifact? {
        let rows = try await database.client.query(
            "SELECT destination_id, path, body FROM bundles WHERE path = \(path)", logger: logger)
        for try await (destinationID, path, body) in rows.decode((String, String, ByteBuffer).self) {
            return BundleArtifact(destinationID: destinationID, path: path, bytes: Array(body.readableBytesView))
        }
        return nil
    }

    public func events(after sequence: Int64, limit: Int) async throws -> [PublishEvent] {
        let rows = try await database.client.query(
            """
            SELECT sequence, write_key, version, surrogate_keys FROM manifests
            WHERE sequence > \(sequence) ORDER BY sequence LIMIT \(limit)
            """, logger: logger)
        var events: [PublishEvent] = []
        for try await (sequence, writeKey, version, keys) in rows.decode((Int64, String, Int, String).self) {
            events.append(
                PublishEvent(
                    sequence: sequence, writeKey: writeKey, version: version,
                    surrogateKeys: keys.split(separator: " ").map(String.init)))
        }
        return events
    }

    public func lastSequence() async throws -> Int64 {
        try await Self.lastSequence(database)
    }

    /// The log's last sequence (0 when empty); the publish listener reads it too.
    static func lastSequence(_ database: PostgresDatabase) async throws -> Int64 {
        let rows = try await database.client.query(
            "SELECT COALESCE(MAX(sequence), 0) FROM manifests", logger: database.logger)
        for try await last in rows.decode(Int64.self) { return last }
        return 0
    }

    private static let manifestColumns =
        "write_key, source_id, version, content_hash, published_at, expires_at, key_id, surrogate_keys, body, signature"

    private func manifests(_ query: PostgresQuery) async throws -> [SignedManifest] {
        let rows = try await database.client.query(query, logger: logger)
        var manifests: [SignedManifest] = []
        for try await row in rows {
            let (writeKey, sourceID, version, contentHash, publishedAt, expiresAt, keyID, keys, body, signature) =
                try row.decode((String, String, Int, String, Int64, Int64, String, String, ByteBuffer, ByteBuffer).self)
            manifests.append(
                SignedManifest(
                    writeKey: writeKey, sourceID: sourceID, version: version, contentHash: contentHash,
                    publishedAt: Date(timeIntervalSince1970: TimeInterval(publishedAt)),
                    expiresAt: Date(timeIntervalSince1970: TimeInterval(expiresAt)), keyID: keyID,
                    surrogateKeys: keys.split(separator: " ").map(String.init), body: Array(body.readableBytesView),
                    signature: Array(signature.readableBytesView)))
        }
        return manifests
    }
}
