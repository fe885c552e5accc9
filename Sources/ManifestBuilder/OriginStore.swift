import Foundation

/// Where published manifests and bundles live, for the origin server to serve.
///
/// Versions are append-only: a write key's versions only grow, and a published version's bytes
/// never change. SQLite (`SQLiteOriginStore`) is the default; the protocol leaves room for a
/// PostgreSQL implementation.
public protocol OriginStore: Sendable {
    /// The latest version of every write key.
    func heads() async throws -> [String: PublishedHead]

    /// Appends manifest versions and any bundles not yet stored, all in one transaction.
    /// Throws `OriginStoreError.conflict` when another publisher already used one of the
    /// versions (re-read the heads and try again), and `.bundleConflict` when a bundle path
    /// already holds different bytes.
    func append(_ manifests: [SignedManifest], bundles: [BundleArtifact]) async throws

    func latest(writeKey: String) async throws -> SignedManifest?
    func manifest(writeKey: String, version: Int) async throws -> SignedManifest?
    /// Every version of a write key, oldest first.
    func history(writeKey: String) async throws -> [ManifestVersionInfo]
    func bundle(path: String) async throws -> BundleArtifact?
    /// Publish events in order, after `sequence` (0 for all).
    func events(after sequence: Int64, limit: Int) async throws -> [PublishEvent]
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

/// One line of `manifest history`.
public struct ManifestVersionInfo: Hashable, Sendable, Codable {
    public var writeKey: String
    public var version: Int
    public var contentHash: String
    public var publishedAt: Date
    public var expiresAt: Date
    public var size: Int
}

/// A publish, in the order the store accepted it: what an edge must invalidate.
public struct PublishEvent: Hashable, Sendable, Codable {
    public var sequence: Int64
    public var writeKey: String
    public var version: Int
    public var surrogateKeys: [String]
}

public enum OriginStoreError: Error, Hashable, CustomStringConvertible {
    case conflict(writeKey: String, version: Int)
    case bundleConflict(path: String)

    public var description: String {
        switch self {
        case .conflict(let writeKey, let version):
            "version \(version) of \(writeKey) was published concurrently by another publisher"
        case .bundleConflict(let path):
            "\(path) already holds a different bundle; bundles are immutable, so bump the destination's "
                + "bundle version in the catalog"
        }
    }
}
