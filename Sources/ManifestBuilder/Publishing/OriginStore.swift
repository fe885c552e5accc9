import Foundation

/// Where published manifests and bundles live, for the origin server to serve.
///
/// Versions are append-only: a write key's versions only grow, and a published version's bytes
/// never change. SQLite (`SQLiteOriginStore`) is the default; `PostgresOriginStore` (module
/// `ManifestPostgres`) serves several origins from one database.
public protocol OriginStore: Sendable {
    /// Runs `prepare` inside one write transaction, with the latest version of the given write
    /// keys (all of them when `nil`), and appends the batch it returns: manifest versions and
    /// any bundles not stored yet. Publishers are serialised by the transaction, so versions
    /// computed from the heads never repeat or go down. Throws `.bundleConflict` when a bundle
    /// path already holds different bytes; then nothing is appended.
    func append<Plan: Sendable>(
        writeKeys: [String]?,
        _ prepare: @escaping @Sendable (_ heads: [String: PublishedHead]) throws -> (PublishBatch, Plan)
    ) async throws -> Plan

    /// The same transaction, written in batches: `prepare` gets the heads, to look up a batch
    /// of write keys at a time, and a `write` to call once per batch, so that a publish of many
    /// sources never holds them all, nor all their heads (issue 16). The batches are appended
    /// together or not at all. Stores that cannot write inside `prepare` get the default, which
    /// gathers the batches and appends them at the end.
    func appendBatches<Plan: Sendable>(
        writeKeys: [String]?,
        _ prepare:
            @escaping @Sendable (
                _ heads: PublishedHeads, _ write: (PublishBatch) throws -> Void
            ) throws -> Plan
    ) async throws -> Plan

    func latest(writeKey: String) async throws -> SignedManifest?
    func manifest(writeKey: String, version: Int) async throws -> SignedManifest?
    /// Every version of a write key, oldest first.
    func history(writeKey: String) async throws -> [ManifestVersionInfo]
    func bundle(path: String) async throws -> BundleArtifact?
    /// Publish events in order, after `sequence` (0 for all).
    func events(after sequence: Int64, limit: Int) async throws -> [PublishEvent]
    /// The sequence of the latest publish event (0 before the first).
    func lastSequence() async throws -> Int64
    /// The marker a file publish with this input digest left (`PublishBatch.marker`), if no
    /// manifest has been appended since: nil when there is none, or when anything (another
    /// publish, the control plane, a rollback) appended to the log after it was recorded.
    func publishMarker(inputDigest: String) async throws -> PublishMarker?
    /// Signals each publish as it commits, for the waiters on the log.
    var publishSignals: PublishSignals { get }
}

extension OriginStore {
    /// Gathers every batch, then appends them as one: correct for any store, bounded for none.
    public func appendBatches<Plan: Sendable>(
        writeKeys: [String]?,
        _ prepare:
            @escaping @Sendable (
                _ heads: PublishedHeads, _ write: (PublishBatch) throws -> Void
            ) throws -> Plan
    ) async throws -> Plan {
        try await append(writeKeys: writeKeys) { heads in
            var gathered = PublishBatch(manifests: [])
            let plan = try prepare(PublishedHeads(heads)) { batch in
                gathered.manifests += batch.manifests
                gathered.bundles += batch.bundles
                gathered.marker = batch.marker ?? gathered.marker
            }
            return (gathered, plan)
        }
    }

    /// A store that keeps no markers: every file publish takes the full path.
    public func publishMarker(inputDigest: String) async throws -> PublishMarker? { nil }
}

/// What a publisher needs to know about a write key's latest version.
public struct PublishedHead: Hashable, Sendable {
    public var version: Int
    public var contentHash: String
    public var expiresAt: Date

    public init(version: Int, contentHash: String, expiresAt: Date) {
        self.version = version
        self.contentHash = contentHash
        self.expiresAt = expiresAt
    }
}

/// The latest versions a publish builds on, read inside its transaction a batch of write
/// keys at a time: the stores look them up as they are asked for (SQLite on a reader
/// connection, PostgreSQL on the transaction's own), so that a publish of a million sources
/// does not hold a million heads (issue 16); heads read first answer from those.
public struct PublishedHeads: Sendable {
    private let lookup: @Sendable ([String]) throws -> [String: PublishedHead]

    /// Heads read before the publish: every one it may ask for.
    public init(_ heads: [String: PublishedHead]) {
        lookup = { writeKeys in writeKeys.reduce(into: [:]) { found, key in found[key] = heads[key] } }
    }

    /// Heads looked up when asked for.
    public init(lookup: @escaping @Sendable (_ writeKeys: [String]) throws -> [String: PublishedHead]) {
        self.lookup = lookup
    }

    /// The heads of those of `writeKeys` that have a version.
    public func callAsFunction(_ writeKeys: [String]) throws -> [String: PublishedHead] {
        try lookup(writeKeys)
    }
}

/// What one publish appends.
public struct PublishBatch: Sendable {
    public var manifests: [SignedManifest]
    public var bundles: [BundleArtifact]
    /// Recorded with the log's head as it will be when this transaction commits (the batch that
    /// carries it is the publish's last): see `PublishMarker`.
    public var marker: PublishMarker?

    public init(manifests: [SignedManifest], bundles: [BundleArtifact] = [], marker: PublishMarker? = nil) {
        self.manifests = manifests
        self.bundles = bundles
        self.marker = marker
    }
}

/// What a successful publish of a whole workspace file leaves in the store, so that the same
/// publish again can be answered without reading the file (`Publisher.publishFile`).
///
/// The store keeps it with the log's head (the last sequence) at the commit of the publish that
/// recorded it, and hands it back only while the head is still that: the log is append-only, so
/// an unchanged head means the store holds exactly what that publish left. Recording a marker
/// drops every marker of an older head (they can never be current again), so markers of
/// several files published in turn without changes can live side by side, and no more.
public struct PublishMarker: Hashable, Sendable {
    /// The SHA-256 (hex) of everything that decided the publish (`Publisher.inputDigest`).
    public var inputDigest: String
    /// The workspace's manifests (its web, mobile and project sources): what a publish that
    /// changes nothing counts as unchanged.
    public var manifests: Int
    /// From this time on, a publish of the same inputs would re-sign a manifest nearing expiry
    /// (`PublishPolicy.refreshWithin`): the marker no longer stands for "nothing to do".
    /// Whole seconds, as the stores keep times.
    public var refreshAt: Date

    public init(inputDigest: String, manifests: Int, refreshAt: Date) {
        self.inputDigest = inputDigest
        self.manifests = manifests
        self.refreshAt = Date(timeIntervalSince1970: refreshAt.timeIntervalSince1970.rounded(.down))
    }
}

/// One line of `manifest history`.
public struct ManifestVersionInfo: Hashable, Sendable, Codable {
    public var writeKey: String
    public var version: Int
    public var contentHash: String
    public var publishedAt: Date
    public var expiresAt: Date
    public var size: Int

    public init(writeKey: String, version: Int, contentHash: String, publishedAt: Date, expiresAt: Date, size: Int) {
        self.writeKey = writeKey
        self.version = version
        self.contentHash = contentHash
        self.publishedAt = publishedAt
        self.expiresAt = expiresAt
        self.size = size
    }
}

/// A publish, in the order the store accepted it: what an edge must invalidate.
public struct PublishEvent: Hashable, Sendable, Codable {
    public var sequence: Int64
    public var writeKey: String
    public var version: Int
    public var surrogateKeys: [String]

    public init(sequence: Int64, writeKey: String, version: Int, surrogateKeys: [String]) {
        self.sequence = sequence
        self.writeKey = writeKey
        self.version = version
        self.surrogateKeys = surrogateKeys
    }
}

public enum OriginStoreError: Error, Hashable, CustomStringConvertible {
    case bundleConflict(path: String)
    /// A manifest for a write key outside the `WriteKey` alphabet: the origin could never serve it.
    case invalidWriteKey(String)

    public var description: String {
        switch self {
        case .bundleConflict(let path):
            "\(path) already holds a different bundle; bundles are immutable, so bump the destination's "
                + "bundle version in the catalog"
        case .invalidWriteKey(let key):
            "refusing to store a manifest for the write key \(key.prefix(64).debugDescription)"
                + (key.utf8.count > 64 ? "... (\(key.utf8.count) bytes)" : "")
                + ": a write key is \(WriteKey.alphabetDescription)"
        }
    }
}
