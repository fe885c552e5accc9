import Synchronization

/// Counts a server's open connections against `ConnectionPolicy.maxConnections`, across event
/// loops, and how many it refused.
public final class ConnectionLimiter: Sendable {
    public let maxConnections: Int
    private let open = Atomic<Int>(0)
    private let refusedCount = Atomic<Int>(0)
    private let onChange: @Sendable (_ open: Int, _ refused: Bool) -> Void

    /// `onChange` is called after every admission, refusal and release (for metrics).
    public init(maxConnections: Int, onChange: @escaping @Sendable (_ open: Int, _ refused: Bool) -> Void = { _, _ in })
    {
        self.maxConnections = maxConnections
        self.onChange = onChange
    }

    /// Takes a slot for a new connection; `false` (and counted as refused) when all are taken.
    /// Every admitted connection must be `release`d once when it closes.
    public func admit() -> Bool {
        let now = open.wrappingAdd(1, ordering: .relaxed).newValue
        guard now <= maxConnections else {
            let left = open.wrappingSubtract(1, ordering: .relaxed).newValue
            refusedCount.wrappingAdd(1, ordering: .relaxed)
            onChange(left, true)
            return false
        }
        onChange(now, false)
        return true
    }

    public func release() {
        onChange(open.wrappingSubtract(1, ordering: .relaxed).newValue, false)
    }

    /// Connections open now.
    public var openConnections: Int { open.load(ordering: .relaxed) }
    /// Connections refused since the server started.
    public var refused: Int { refusedCount.load(ordering: .relaxed) }
}
