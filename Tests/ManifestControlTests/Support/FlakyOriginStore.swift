import Foundation
import ManifestBuilder
import Synchronization

/// The origin store with a switch that makes every publish fail: a publish that fails after
/// the control plane saved its change.
final class FlakyOriginStore: OriginStore {
    struct Down: Error {}

    let base: any OriginStore
    let failing = Mutex(false)

    var publishSignals: PublishSignals { base.publishSignals }

    init(_ base: any OriginStore) {
        self.base = base
    }

    func append<Plan: Sendable>(
        writeKeys: [String]?, _ prepare: @escaping @Sendable ([String: PublishedHead]) throws -> (PublishBatch, Plan)
    ) async throws -> Plan {
        if failing.withLock({ $0 }) { throw Down() }
        return try await base.append(writeKeys: writeKeys, prepare)
    }

    func latest(writeKey: String) async throws -> SignedManifest? { try await base.latest(writeKey: writeKey) }
    func manifest(writeKey: String, version: Int) async throws -> SignedManifest? {
        try await base.manifest(writeKey: writeKey, version: version)
    }
    func history(writeKey: String) async throws -> [ManifestVersionInfo] { try await base.history(writeKey: writeKey) }
    func bundle(path: String) async throws -> BundleArtifact? { try await base.bundle(path: path) }
    func events(after sequence: Int64, limit: Int) async throws -> [PublishEvent] {
        try await base.events(after: sequence, limit: limit)
    }
    func lastSequence() async throws -> Int64 { try await base.lastSequence() }
}
