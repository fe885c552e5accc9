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

extension SignedManifest {
    /// The response header that carries the signature: `Manifest-Signature`.
    public static let signatureHeaderName = "Manifest-Signature"

    /// `keyid="<key id>", sig=:<base64 signature>:` (an RFC 8941 dictionary).
    public var signatureHeaderValue: String {
        "keyid=\"\(keyID)\", sig=:\(Data(signature).base64EncodedString()):"
    }

    /// Reads a `Manifest-Signature` value back into the key id and the signature bytes.
    public static func parseSignatureHeader(_ value: String) -> (keyID: String, signature: [UInt8])? {
        var keyID: String?
        var signature: [UInt8]?
        for member in value.split(separator: ",") {
            let parts = member.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "keyid" where parts[1].count >= 2 && parts[1].hasPrefix("\"") && parts[1].hasSuffix("\""):
                keyID = String(parts[1].dropFirst().dropLast())
            case "sig" where parts[1].count >= 2 && parts[1].hasPrefix(":") && parts[1].hasSuffix(":"):
                signature = Data(base64Encoded: String(parts[1].dropFirst().dropLast())).map(Array.init)
            default: continue
            }
        }
        guard let keyID, let signature else { return nil }
        return (keyID, signature)
    }
}

extension CompiledManifest {
    /// Stamps the content as `version` and signs the resulting bytes. Times are whole seconds,
    /// so that the stamp in the bytes and the stored times agree exactly.
    public func signed(version: Int, publishedAt: Date, validity: TimeInterval, key: SigningKey) -> SignedManifest {
        let published = Date(timeIntervalSince1970: publishedAt.timeIntervalSince1970.rounded(.down))
        let expires = published.addingTimeInterval(validity.rounded(.down))
        let keyID = key.publicKey.keyID
        var document = content
        document.updateExtension { delivery in
            delivery["version"] = .int(version)
            delivery["publishedAt"] = .string(ManifestTime.format(published))
            delivery["expiresAt"] = .string(ManifestTime.format(expires))
            delivery["contentHash"] = .string(contentHash)
            delivery["keyId"] = .string(keyID)
        }
        let body = encode(stamped: document)
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
            updateExtension { $0[key] = newValue }
        }
    }

    /// Changes the `delivery` object in place.
    mutating func updateExtension(_ change: (inout [String: JSONValue]) -> Void) {
        guard case .object(var root) = self, case .object(var delivery)? = root[ManifestCompiler.extensionKey] else {
            return
        }
        self = .null
        root[ManifestCompiler.extensionKey] = .null
        change(&delivery)
        root[ManifestCompiler.extensionKey] = .object(delivery)
        self = .object(root)
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
