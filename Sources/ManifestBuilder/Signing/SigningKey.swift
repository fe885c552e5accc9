import Crypto
import Foundation

/// The Ed25519 key that signs published manifests. Its public half is published at a
/// well-known path so that clients can check what they receive.
public struct SigningKey: Sendable {
    public let privateKey: Curve25519.Signing.PrivateKey
    public let publicKey: PublicSigningKey

    public init(privateKey: Curve25519.Signing.PrivateKey = .init()) {
        self.privateKey = privateKey
        self.publicKey = PublicSigningKey(privateKey.publicKey)
    }

    public func signature(for bytes: [UInt8]) -> [UInt8] {
        // Signing with a valid key over bytes in memory cannot fail.
        Array(try! privateKey.signature(for: bytes))
    }

    /// The private key file: `{"keyId": ..., "algorithm": "Ed25519", "privateKey": <base64>}`.
    public func fileContents() -> Data {
        let file = PrivateKeyFile(
            keyId: publicKey.keyID, algorithm: PublicSigningKey.algorithm,
            privateKey: privateKey.rawRepresentation.base64EncodedString())
        return Self.encoder.encodeWithNewline(file)
    }

    public init(fileContents data: Data) throws(SigningKeyError) {
        guard let file = try? JSONDecoder().decode(PrivateKeyFile.self, from: data),
            file.algorithm == PublicSigningKey.algorithm,
            let raw = Data(base64Encoded: file.privateKey),
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else { throw SigningKeyError.unreadable }
        self.init(privateKey: key)
    }

    private struct PrivateKeyFile: Codable {
        var keyId: String
        var algorithm: String
        var privateKey: String
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

/// A public key as clients fetch it from `/.well-known/manifest-signing-key`.
public struct PublicSigningKey: Codable, Hashable, Sendable {
    public static let algorithm = "Ed25519"

    /// The first 16 hex digits of the SHA-256 of the raw key: names the key in signatures.
    public var keyID: String
    public var algorithm: String
    /// The raw 32-byte key, base64.
    public var publicKey: String

    private enum CodingKeys: String, CodingKey {
        case keyID = "keyId"
        case algorithm
        case publicKey
    }

    public init(_ key: Curve25519.Signing.PublicKey) {
        self.keyID = String(SHA256.hash(data: key.rawRepresentation).hexString.prefix(16))
        self.algorithm = Self.algorithm
        self.publicKey = key.rawRepresentation.base64EncodedString()
    }

    public func isValidSignature(_ signature: [UInt8], for bytes: [UInt8]) -> Bool {
        guard algorithm == Self.algorithm, let raw = Data(base64Encoded: publicKey),
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
        else { return false }
        return key.isValidSignature(signature, for: bytes)
    }

    public func fileContents() -> Data {
        SigningKey.encoder.encodeWithNewline(self)
    }
}

public enum SigningKeyError: Error, Hashable, CustomStringConvertible {
    case unreadable

    public var description: String { "not an Ed25519 private key file written by `manifest keygen`" }
}

extension JSONEncoder {
    func encodeWithNewline(_ value: some Encodable) -> Data {
        // The values encoded here are plain strings and cannot fail to encode.
        var data = try! encode(value)
        data.append(UInt8(ascii: "\n"))
        return data
    }
}
