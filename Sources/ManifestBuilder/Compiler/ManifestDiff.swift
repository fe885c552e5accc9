/// What changed in a source's manifest between two versions, by instance name.
public struct ManifestDiff: Hashable, Sendable, Codable {
    public var added: [String]
    public var removed: [String]
    /// Listed in both, with different settings, mode or bundle.
    public var changed: [String]

    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }

    init(added: [String], removed: [String], changed: [String]) {
        (self.added, self.removed, self.changed) = (added, removed, changed)
    }

    /// Compares the destinations two settings documents list (their `integrations` entries
    /// other than `Segment.io`, and their `remotePlugins`). `old` is nil for a new source.
    public init(from old: JSONValue?, to new: JSONValue) {
        self.init(from: old.map(Destinations.init), to: Destinations(new))
    }

    /// The same from what two documents list, so that a publisher can let a document go once it
    /// is written and compare later.
    public init(from old: Destinations?, to new: Destinations) {
        let before = old?.digests ?? [:]
        let after = new.digests
        added = after.keys.filter { before[$0] == nil }.sorted()
        removed = before.keys.filter { after[$0] == nil }.sorted()
        changed = after.keys.filter { before[$0] != nil && before[$0] != after[$0] }.sorted()
    }

    /// The destinations a settings document lists, by name, each with a digest of its entry
    /// (and remote plugin): a few bytes per destination instead of the document. The digest is
    /// Swift's hash of the JSON, so two entries are told apart unless they collide in 64 bits;
    /// it is only compared within one process.
    public struct Destinations: Hashable, Sendable {
        var digests: [String: Int]

        public init(_ document: JSONValue) {
            digests = ManifestDiff.destinations(document).mapValues(\.hashValue)
        }

        init(digests: [String: Int]) {
            self.digests = digests
        }
    }

    private static func destinations(_ document: JSONValue) -> [String: JSONValue] {
        guard case .object(let root) = document, case .object(var entries)? = root["integrations"] else { return [:] }
        entries["Segment.io"] = nil
        if case .array(let plugins)? = root["remotePlugins"] {
            for case .object(let plugin) in plugins {
                guard case .string(let name)? = plugin["creationName"], let entry = entries[name] else { continue }
                entries[name] = ["entry": entry, "plugin": .object(plugin)]
            }
        }
        return entries
    }
}
