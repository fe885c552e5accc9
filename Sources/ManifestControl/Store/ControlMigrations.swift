import GRDB

/// The control plane's tables. Migration names start with `control-` so that the migrator can
/// share a database file (and its `grdb_migrations` table) with `SQLiteOriginStore`, whose
/// migrations have other names.
enum ControlMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("control-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE control_workspaces (
                        id TEXT PRIMARY KEY,
                        revision INTEGER NOT NULL CHECK (revision > 0),
                        document BLOB NOT NULL,
                        updated_at INTEGER NOT NULL
                    );
                    CREATE TABLE control_tokens (
                        id TEXT PRIMARY KEY,
                        workspace_id TEXT NOT NULL,
                        name TEXT NOT NULL,
                        scope TEXT NOT NULL CHECK (scope IN ('read', 'write')),
                        secret_hash BLOB NOT NULL,
                        created_at INTEGER NOT NULL,
                        revoked_at INTEGER
                    );
                    CREATE INDEX control_tokens_workspace ON control_tokens (workspace_id);
                    CREATE TABLE control_audit (
                        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                        workspace_id TEXT NOT NULL,
                        at INTEGER NOT NULL,
                        actor TEXT NOT NULL,
                        action TEXT NOT NULL,
                        resource TEXT NOT NULL,
                        revision INTEGER NOT NULL,
                        before TEXT,
                        after TEXT
                    );
                    CREATE INDEX control_audit_workspace ON control_audit (workspace_id, sequence);
                    CREATE TRIGGER control_audit_append_only_update BEFORE UPDATE ON control_audit
                        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                    CREATE TRIGGER control_audit_append_only_delete BEFORE DELETE ON control_audit
                        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                    """)
        }
        return migrator
    }
}
