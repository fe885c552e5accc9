/// The statements both origin stores use for `PublishMarker`s; SQLite and PostgreSQL take the
/// same text, with `$n` placeholders (SQLite numbers `$1`, `$2`... in order of appearance, so
/// positional arguments bind as in PostgreSQL).
package enum PublishMarkerSQL {
    package static let createTable = """
        CREATE TABLE publish_markers (
            input_digest TEXT PRIMARY KEY,
            log_head BIGINT NOT NULL,
            manifests BIGINT NOT NULL CHECK (manifests >= 0),
            refresh_at BIGINT NOT NULL
        )
        """

    /// The log's head: the last sequence, 0 when empty.
    package static let logHead = "SELECT COALESCE(MAX(sequence), 0) FROM manifests"

    /// Markers of any head but `$1`: never current again, since the log only grows.
    package static let dropOthers = "DELETE FROM publish_markers WHERE log_head <> $1"

    /// Records (digest, head, manifests, refresh_at).
    package static let upsert = """
        INSERT INTO publish_markers (input_digest, log_head, manifests, refresh_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (input_digest) DO UPDATE
        SET log_head = excluded.log_head, manifests = excluded.manifests, refresh_at = excluded.refresh_at
        """

    /// The marker of digest `$1`, only while the log's head is the one it was recorded with.
    package static let current = """
        SELECT manifests, refresh_at FROM publish_markers
        WHERE input_digest = $1 AND log_head = (\(logHead))
        """
}
