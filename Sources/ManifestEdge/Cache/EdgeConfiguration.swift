/// How an edge cache is named and sized.
public struct EdgeConfiguration: Sendable {
    /// This cache's name in `Cache-Status` (RFC 9211).
    public var name: String
    /// The most body and header bytes the cache holds; the least recently used go first.
    public var byteBudget: Int

    public init(name: String = "manifest-edge", byteBudget: Int = 256 << 20) {
        self.name = name
        self.byteBudget = byteBudget
    }
}

/// What to invalidate.
public enum PurgeTarget: Hashable, Sendable {
    /// Every stored variant of one path.
    case path(String)
    /// Every stored response whose `Surrogate-Key` lists this key.
    case surrogateKey(String)
    case all
}
