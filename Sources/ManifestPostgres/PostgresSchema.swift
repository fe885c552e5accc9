import ManifestBuilder
import PostgresNIO

/// The tables, the same as SQLite's: the origin's append-only manifest log and immutable
/// bundles, the control plane's workspaces, tokens and append-only audit log. Append-only is
/// enforced by triggers in the database (UPDATE, DELETE and TRUNCATE raise), not only by the
/// code, so no client can rewrite what edges and auditors have seen.
enum PostgresSchema {
    /// Serialises migrations from several processes starting at once.
    static let migrationLock: Int64 = 0x6d61_6e69_6665_7374

    /// Migrations by name, applied once each, in order, each in its own transaction.
    static let migrations: [(name: String, statements: [String])] = [
        ("v1", originTables + controlTables + appendOnlyTriggers),
        // Issue 16: the marker a file publish leaves (`PublishMarker`); not append-only, since
        // each one is replaced or dropped once the log moves on.
        ("v2-publish-markers", [PublishMarkerSQL.createTable]),
    ]

    static func migrate(_ database: PostgresDatabase) async throws {
        try await database.transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: database.logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS manifest_schema (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)",
                logger: database.logger)
            var applied: Set<String> = []
            for try await name in try await connection.query(
                "SELECT name FROM manifest_schema", logger: database.logger
            )
            .decode(String.self) { applied.insert(name) }
            for migration in migrations where !applied.contains(migration.name) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: database.logger)
                }
                try await connection.query(
                    "INSERT INTO manifest_schema (name, applied_at) VALUES (\(migration.name), now())",
                    logger: database.logger)
            }
        }
    }

    private static let originTables = [
        """
        CREATE TABLE manifests (
            sequence BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            write_key TEXT NOT NULL,
            source_id TEXT NOT NULL,
            version INTEGER NOT NULL CHECK (version > 0),
            content_hash TEXT NOT NULL,
            published_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            key_id TEXT NOT NULL,
            surrogate_keys TEXT NOT NULL,
            body BYTEA NOT NULL,
            signature BYTEA NOT NULL,
            UNIQUE (write_key, version)
        )
        """,
        """
        CREATE TABLE bundles (
            path TEXT PRIMARY KEY,
            destination_id TEXT NOT NULL,
            integrity TEXT NOT NULL,
            body BYTEA NOT NULL
        )
        """,
    ]

    private static let controlTables = [
        """
        CREATE TABLE control_workspaces (
            id TEXT PRIMARY KEY,
            revision BIGINT NOT NULL CHECK (revision > 0),
            document BYTEA NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE control_tokens (
            id TEXT PRIMARY KEY,
            workspace_id TEXT NOT NULL,
            name TEXT NOT NULL,
            scope TEXT NOT NULL CHECK (scope IN ('read', 'write')),
            secret_hash BYTEA NOT NULL,
            created_at BIGINT NOT NULL,
            revoked_at BIGINT
        )
        """,
        "CREATE INDEX control_tokens_workspace ON control_tokens (workspace_id)",
        """
        CREATE TABLE control_audit (
            sequence BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            workspace_id TEXT NOT NULL,
            at BIGINT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            resource TEXT NOT NULL,
            revision BIGINT NOT NULL,
            before TEXT,
            after TEXT
        )
        """,
        "CREATE INDEX control_audit_workspace ON control_audit (workspace_id, sequence)",
    ]

    private static let appendOnlyTriggers =
        [
            """
            CREATE FUNCTION manifest_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
            END
            $$
            """
        ]
        + ["manifests", "bundles", "control_audit"].flatMap { table in
            [
                """
                CREATE TRIGGER \(table)_append_only BEFORE UPDATE OR DELETE ON \(table)
                    FOR EACH ROW EXECUTE FUNCTION manifest_refuse_change()
                """,
                """
                CREATE TRIGGER \(table)_no_truncate BEFORE TRUNCATE ON \(table)
                    FOR EACH STATEMENT EXECUTE FUNCTION manifest_refuse_change()
                """,
            ]
        }
}
