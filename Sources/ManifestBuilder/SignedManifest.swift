import Foundation

/// One published version of a source's manifest: the exact bytes served and their signature.
///
/// The bytes are the canonical JSON of the compiled content with the version stamp added to the
/// `delivery` object (`version`, `publishedAt`, `expiresAt`, `contentHash`, `keyId`). The Ed25519
/// signature covers exactly those bytes; the origin sends it in the `Manifest-Signature`
/// response header.
public struct SignedManifest: Hashable, Sendable {
    public var writeKey: String
    public var sourceID: String
    public var version: Int
    public var contentHash: String
    public var publishedAt: Date
    public var expiresAt: Date
    public var keyID: String
    public var surrogateKeys: [String]
    public var body: [UInt8]
    public var signature: [UInt8]

    public init(
        writeKey: String, sourceID: String, version: Int, contentHash: String, publishedAt: Date, expiresAt: Date,
        keyID: String, surrogateKeys: [String], body: [UInt8], signature: [UInt8]
    ) {
        self.writeKey = writeKey
        self.sourceID = sourceID
        self.version = version
        self.contentHash = contentHash
        self.publishedAt = publishedAt
        self.expiresAt = expiresAt
        self.keyID = keyID
        self.surrogateKeys = surrogateKeys
        self.body = body
        self.signature = signature
    }
}

extension CompiledManifest {
    /// Stamps the content as `version` and signs the resulting bytes. Times are whole seconds,
    /// so that the stamp in the bytes and the stored times agree exactly.
    public func signed(version: Int, publishedAt: Date, validity: TimeInterval, key: SigningKey) -> SignedManifest {
        let published = Date(timeIntervalSince1970: publishedAt.timeIntervalSince1970.rounded(.down))
        let expires = published.addingTimeInterval(validity.rounded(.down))
        var document = content
        document[extension: "version"] = .int(version)
        document[extension: "publishedAt"] = .string(ManifestTime.format(published))
        document[extension: "expiresAt"] = .string(ManifestTime.format(expires))
        document[extension: "contentHash"] = .string(contentHash)
        document[extension: "keyId"] = .string(key.publicKey.keyID)
        let body = CanonicalJSON.encode(document)
        return SignedManifest(
            writeKey: writeKey, sourceID: sourceID, version: version, contentHash: contentHash,
            publishedAt: published, expiresAt: expires, keyID: key.publicKey.keyID, surrogateKeys: surrogateKeys,
            body: body, signature: key.signature(for: body))
    }
}

/// The stamp fields, which `contentHash` does not cover.
enum ManifestStamp {
    static let fields = ["version", "publishedAt", "expiresAt", "contentHash", "keyId"]
}

extension JSONValue {
    /// A member of the document's `delivery` object; nil when there is none.
    subscript(extension key: String) -> JSONValue? {
        get {
            guard case .object(let root) = self, case .object(let delivery)? = root[ManifestCompiler.extensionKey]
            else { return nil }
            return delivery[key]
        }
        set {
            guard case .object(var root) = self, case .object(var delivery)? = root[ManifestCompiler.extensionKey]
            else { return }
            delivery[key] = newValue
            root[ManifestCompiler.extensionKey] = .object(delivery)
            self = .object(root)
        }
    }
}

/// Times in manifests: ISO 8601 in UTC with whole seconds (`2026-11-29T05:00:00Z`).
public enum ManifestTime {
    public static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    public static func parse(_ string: String) -> Date? {
        try? Date(string, strategy: .iso8601)
    }
}
