import Crypto
import Foundation

/// The 256-bit key that seals secret settings at rest, kept in `control-secrets.key` (mode 0600)
/// next to the database, so that a copy of the database alone does not reveal any secret.
public struct SecretsKey: Sendable {
    public static let fileName = "control-secrets.key"

    public let key: SymmetricKey

    public init(key: SymmetricKey) {
        self.key = key
    }

    /// Reads the key file in `directory`, creating it (32 random bytes, mode 0600) when missing.
    public static func loadOrCreate(in directory: URL) throws -> SecretsKey {
        let file = directory.appendingPathComponent(fileName)
        if let data = FileManager.default.contents(atPath: file.path) {
            guard data.count == 32 else { throw SecretsKeyError.malformed(path: file.path) }
            return SecretsKey(key: SymmetricKey(data: data))
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let key = SymmetricKey(size: .bits256)
        let bytes = key.withUnsafeBytes { Data($0) }
        guard FileManager.default.createFile(atPath: file.path, contents: bytes, attributes: [.posixPermissions: 0o600])
        else {
            throw SecretsKeyError.unwritable(path: file.path)
        }
        return SecretsKey(key: key)
    }
}

public enum SecretsKeyError: Error, Hashable, CustomStringConvertible {
    case malformed(path: String)
    case unwritable(path: String)

    public var description: String {
        switch self {
        case .malformed(let path): "\(path) is not a 32-byte secrets key"
        case .unwritable(let path): "cannot write the secrets key to \(path)"
        }
    }
}
