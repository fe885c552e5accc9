/// Who is calling: the token that authenticated the request.
public struct Principal: Sendable, Hashable {
    public var tokenID: String
    public var workspace: String
    /// The token's name: what the audit log records as the actor.
    public var name: String
    public var scope: TokenScope

    public init(tokenID: String, workspace: String, name: String, scope: TokenScope) {
        self.tokenID = tokenID
        self.workspace = workspace
        self.name = name
        self.scope = scope
    }
}
