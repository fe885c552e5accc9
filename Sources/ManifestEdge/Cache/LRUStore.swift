/// Values by key within a byte budget, evicting the least recently used first.
///
/// Not thread-safe: owned by the `EdgeCache` actor.
final class LRUStore<Value> {
    private final class Node {
        let key: String
        var value: Value
        var size: Int
        var newer: Node?
        /// Not counted: `nodes` owns every node, and a node leaves the list before it leaves `nodes`.
        unowned(unsafe) var older: Node?

        init(key: String, value: Value, size: Int) {
            self.key = key
            self.value = value
            self.size = size
        }
    }

    let budget: Int
    private(set) var bytes = 0
    private var nodes: [String: Node] = [:]
    /// Most and least recently used.
    private var newest: Node?
    private var oldest: Node?

    init(budget: Int) {
        self.budget = budget
    }

    deinit {
        // Break the `newer` chain so that nodes are freed one by one, not recursively.
        var node = oldest
        while let current = node {
            node = current.newer
            current.newer = nil
        }
    }

    var count: Int { nodes.count }
    var keys: [String] { Array(nodes.keys) }

    /// The value, marked as just used.
    func get(_ key: String) -> Value? {
        guard let node = nodes[key] else { return nil }
        touch(node)
        return node.value
    }

    /// The value, without changing its recency.
    func peek(_ key: String) -> Value? {
        nodes[key]?.value
    }

    /// Stores the value as the most recent, then evicts the oldest until the budget holds.
    /// Returns the evicted keys. A value larger than the whole budget is not stored.
    @discardableResult
    func set(_ key: String, _ value: Value, size: Int) -> [String] {
        remove(key)
        guard size <= budget else { return [] }
        let node = Node(key: key, value: value, size: size)
        nodes[key] = node
        bytes += size
        link(node)
        var evicted: [String] = []
        while bytes > budget, let victim = oldest, victim !== node {
            evicted.append(victim.key)
            remove(victim.key)
        }
        return evicted
    }

    /// Changes a value in place, keeping its recency and size.
    func update(_ key: String, _ change: (inout Value) -> Void) {
        guard let node = nodes[key] else { return }
        change(&node.value)
    }

    @discardableResult
    func remove(_ key: String) -> Value? {
        guard let node = nodes.removeValue(forKey: key) else { return nil }
        unlink(node)
        bytes -= node.size
        return node.value
    }

    private func touch(_ node: Node) {
        guard newest !== node else { return }
        unlink(node)
        link(node)
    }

    private func link(_ node: Node) {
        node.older = newest
        node.newer = nil
        newest?.newer = node
        newest = node
        if oldest == nil { oldest = node }
    }

    private func unlink(_ node: Node) {
        if let newer = node.newer { newer.older = node.older } else { newest = node.older }
        if let older = node.older { older.newer = node.newer } else { oldest = node.newer }
        node.newer = nil
        node.older = nil
    }
}
