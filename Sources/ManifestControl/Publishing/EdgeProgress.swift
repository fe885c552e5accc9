/// One edge following the origin's invalidation stream, and the last publish sequence it has
/// applied: an edge whose `applied` is at or past a publish's sequence serves that publish.
public struct EdgeProgress: Sendable, Hashable {
    public var name: String
    public var applied: Int64

    public init(name: String, applied: Int64) {
        self.name = name
        self.applied = applied
    }
}

/// Where the console learns which edges have applied what: `manifest serve control --origin`
/// asks the origin's `/v1/subscribers`; tests answer directly.
public protocol EdgeProgressSource: Sendable {
    func edges() async throws -> [EdgeProgress]
}
