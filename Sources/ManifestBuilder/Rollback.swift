import Foundation

/// Republishes an earlier version's content as a new, higher version: versions never go down,
/// so clients that refuse rollbacks accept it.
public struct Rollback: Sendable {
    public let key: SigningKey
    public let store: any OriginStore
    public let policy: PublishPolicy

    public init(key: SigningKey, store: any OriginStore, policy: PublishPolicy = .init()) {
        self.key = key
        self.store = store
        self.policy = policy
    }

    /// Republishes the content of an earlier version as a new, higher version.
    public func callAsFunction(writeKey: String, to version: Int, now: Date) async throws -> PublishedChange {
        guard let old = try await store.manifest(writeKey: writeKey, version: version),
            var content = try? JSONDecoder().decode(JSONValue.self, from: Data(old.body))
        else { throw PublishError.unknownVersion(writeKey: writeKey, version: version) }
        for field in ManifestStamp.fields { content[extension: field] = nil }
        let manifest = CompiledManifest(
            writeKey: writeKey, sourceID: old.sourceID, content: content, surrogateKeys: old.surrogateKeys)
        for _ in 0..<Publisher.maxAttempts {
            guard let head = try await store.latest(writeKey: writeKey) else { break }
            let signed = manifest.signed(version: head.version + 1, publishedAt: now, validity: policy.validity, key: key)
            do {
                try await store.append([signed], bundles: [])
            } catch OriginStoreError.conflict {
                continue
            }
            let previous = try? JSONDecoder().decode(JSONValue.self, from: Data(head.body))
            return PublishedChange(
                writeKey: writeKey, sourceID: old.sourceID, version: signed.version, reason: .rollback,
                diff: ManifestDiff(from: previous, to: content))
        }
        throw PublishError.contention(attempts: Publisher.maxAttempts)
    }
}
