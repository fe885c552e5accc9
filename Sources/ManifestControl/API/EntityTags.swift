import Crypto
import Foundation
import ManifestBuilder

/// Entity tags for resources: an HMAC of the resource's clear state under the secrets key, so a
/// changed secret changes the tag while the tag reveals nothing about the secret.
public struct EntityTags: Sendable {
    private let key: SymmetricKey

    public init(secrets: SecretsKey) {
        self.key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Data("etag".utf8), using: secrets.key))
    }

    public func tag(for value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let bytes = (try? encoder.encode(value)) ?? Data()
        let code = HMAC<SHA256>.authenticationCode(for: bytes, using: key)
        return "\"" + Base64URL.encode(Array(code).prefix(16)) + "\""
    }

    /// Whether an `If-Match` field value allows changing a resource whose tag is `current`
    /// (nil when it does not exist): `*` matches any existing resource, otherwise one of the
    /// listed strong tags must be equal. No field means no precondition.
    public static func matches(ifMatch: String?, current: String?) -> Bool {
        guard let ifMatch else { return true }
        guard let current else { return false }
        let tags = ifMatch.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return tags.contains("*") || tags.contains(current)
    }
}
