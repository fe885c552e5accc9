import Crypto
import Foundation

/// The bearer token format, `mdt_<id>_<secret>`: the id (12 lower-case hex digits) finds the
/// stored record, the secret (43 base64url characters, 256 bits) proves possession. Only
/// SHA-256(secret) is stored, so a copy of the database cannot be replayed as tokens.
public struct BearerToken: Sendable, Hashable {
    public static let prefix = "mdt_"

    public var id: String
    public var secret: String

    /// A fresh random token.
    public static func generate() -> BearerToken {
        var generator = SystemRandomNumberGenerator()
        let idBytes = (0..<6).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let secretBytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return BearerToken(
            id: idBytes.map { String(format: "%02x", $0) }.joined(), secret: Base64URL.encode(secretBytes))
    }

    /// Parses the text after `Bearer `; nil for anything not shaped like a token.
    public init?(parsing text: some StringProtocol) {
        guard text.hasPrefix(Self.prefix), text.count < 200 else { return nil }
        let rest = text.dropFirst(Self.prefix.count)
        guard let separator = rest.firstIndex(of: "_") else { return nil }
        let id = rest[..<separator]
        let secret = rest[rest.index(after: separator)...]
        guard id.count == 12, id.allSatisfy(\.isHexDigit), !secret.isEmpty else { return nil }
        self.id = String(id)
        self.secret = String(secret)
    }

    public init(id: String, secret: String) {
        self.id = id
        self.secret = secret
    }

    /// The text a client sends after `Bearer `.
    public var text: String { "\(Self.prefix)\(id)_\(secret)" }

    /// What the store keeps.
    public var secretHash: [UInt8] { Array(SHA256.hash(data: Data(secret.utf8))) }
}

/// Base64url without padding (RFC 4648 §5), for tokens and cursors that travel in URLs and headers.
public enum Base64URL {
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}
