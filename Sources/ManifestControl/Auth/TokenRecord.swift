import Foundation

/// What a token may do. A read token cannot change anything.
public enum TokenScope: String, Codable, Sendable, CaseIterable {
    case read
    case write

    /// Whether a token of this scope may perform something that needs `needed`.
    public func allows(_ needed: TokenScope) -> Bool {
        self == .write || needed == .read
    }
}

/// A stored token: everything but its secret, of which only the SHA-256 is kept.
public struct TokenRecord: Sendable, Hashable, Codable {
    /// The public half of the token, used to look it up (`mdt_<id>_<secret>`).
    public var id: String
    public var workspace: String
    /// Who uses it; audit records name the token by this.
    public var name: String
    public var scope: TokenScope
    /// SHA-256 of the secret half.
    public var secretHash: [UInt8]
    public var createdAt: Date
    public var revokedAt: Date?

    public init(
        id: String, workspace: String, name: String, scope: TokenScope, secretHash: [UInt8], createdAt: Date,
        revokedAt: Date? = nil
    ) {
        self.id = id
        self.workspace = workspace
        self.name = name
        self.scope = scope
        self.secretHash = secretHash
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    private enum CodingKeys: String, CodingKey { case id, workspace, name, scope, createdAt, revokedAt }

    /// Listings never carry the hash.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(workspace, forKey: .workspace)
        try container.encode(name, forKey: .name)
        try container.encode(scope, forKey: .scope)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encodeIfPresent(revokedAt, forKey: .revokedAt)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decode(String.self, forKey: .id),
            workspace: try container.decode(String.self, forKey: .workspace),
            name: try container.decode(String.self, forKey: .name),
            scope: try container.decode(TokenScope.self, forKey: .scope), secretHash: [],
            createdAt: try container.decode(Date.self, forKey: .createdAt),
            revokedAt: try container.decodeIfPresent(Date.self, forKey: .revokedAt))
    }
}
