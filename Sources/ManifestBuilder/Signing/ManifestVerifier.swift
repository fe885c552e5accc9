import Foundation

/// What a client knows once a manifest passed verification.
public struct VerifiedManifest: Hashable, Sendable {
    public var writeKey: String
    public var version: Int
    public var publishedAt: Date
    public var expiresAt: Date
    public var contentHash: String
    public var document: JSONValue
}

public enum ManifestVerificationError: Error, Hashable, CustomStringConvertible {
    case unknownKey(String)
    case badSignature
    case malformed(String)
    case wrongWriteKey(expected: String, found: String)
    /// A version lower than one the client already accepted: a rollback.
    case rollback(seen: Int, received: Int)
    /// Past its expiry: a frozen or replayed manifest.
    case expired(expiresAt: Date, now: Date)

    public var description: String {
        switch self {
        case .unknownKey(let id): "signed with unknown key '\(id)'"
        case .badSignature: "the signature does not match the manifest bytes"
        case .malformed(let reason): "malformed manifest: \(reason)"
        case .wrongWriteKey(let expected, let found): "manifest is for write key '\(found)', expected '\(expected)'"
        case .rollback(let seen, let received): "version \(received) is lower than version \(seen) already seen"
        case .expired(let expiresAt, let now):
            "manifest expired at \(ManifestTime.format(expiresAt)) (now \(ManifestTime.format(now)))"
        }
    }
}

/// Checks a manifest the way a careful client does: the signature over the exact bytes, then
/// the write key, the version against the highest already seen (no rollback) and the expiry
/// (no freeze). A version equal to the highest seen is accepted: reloading is not a rollback.
public struct ManifestVerifier: Sendable {
    public let keys: [String: PublicSigningKey]

    public init(keys: [PublicSigningKey]) {
        self.keys = Dictionary(keys.map { ($0.keyID, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func verify(
        body: [UInt8], signature: [UInt8], keyID: String, expectedWriteKey: String? = nil,
        highestSeenVersion: Int? = nil, now: Date
    ) throws(ManifestVerificationError) -> VerifiedManifest {
        guard let key = keys[keyID] else { throw .unknownKey(keyID) }
        guard key.isValidSignature(signature, for: body) else { throw .badSignature }
        guard let document = try? JSONValue.parse(body) else {
            throw .malformed("not JSON")
        }
        guard case .string(let writeKey)? = document[extension: "writeKey"],
            case .int(let version)? = document[extension: "version"],
            case .string(let published)? = document[extension: "publishedAt"],
            let publishedAt = ManifestTime.parse(published),
            case .string(let expires)? = document[extension: "expiresAt"], let expiresAt = ManifestTime.parse(expires),
            case .string(let contentHash)? = document[extension: "contentHash"]
        else { throw .malformed("the delivery object lacks its version stamp") }
        if let expectedWriteKey, expectedWriteKey != writeKey {
            throw .wrongWriteKey(expected: expectedWriteKey, found: writeKey)
        }
        if let highestSeenVersion, version < highestSeenVersion {
            throw .rollback(seen: highestSeenVersion, received: version)
        }
        guard now < expiresAt else { throw .expired(expiresAt: expiresAt, now: now) }
        return VerifiedManifest(
            writeKey: writeKey, version: version, publishedAt: publishedAt, expiresAt: expiresAt,
            contentHash: contentHash, document: document)
    }
}
