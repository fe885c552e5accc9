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
            var content = try? JSONValue.parse(old.body)
        else { throw PublishError.unknownVersion(writeKey: writeKey, version: version) }
        for field in ManifestStamp.fields { content[extension: field] = nil }
        let manifest = CompiledManifest(
            writeKey: writeKey, sourceID: old.sourceID, content: content, surrogateKeys: old.surrogateKeys)
        let key = self.key
        let validity = policy.validity
        let (signed, previous) = try await store.append(writeKeys: [writeKey]) { heads in
            guard let head = heads[writeKey] else {
                throw PublishError.unknownVersion(writeKey: writeKey, version: version)
            }
            let signed = manifest.signed(version: head.version + 1, publishedAt: now, validity: validity, key: key)
            return (PublishBatch(manifests: [signed]), (signed, head.version))
        }
        let previousContent = try await store.manifest(writeKey: writeKey, version: previous)
            .flatMap { try? JSONValue.parse($0.body) }
        return PublishedChange(
            writeKey: writeKey, sourceID: old.sourceID, version: signed.version, reason: .rollback,
            diff: ManifestDiff(from: previousContent, to: content))
    }
}
