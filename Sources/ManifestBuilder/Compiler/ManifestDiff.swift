/// What changed in a source's manifest between two versions, by instance name.
public struct ManifestDiff: Hashable, Sendable, Codable {
    public var added: [String]
    public var removed: [String]
    /// Listed in both, with different settings, mode or bundle.
    public var changed: [String]

    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }

    /// Compares the destinations two settings documents list (their `integrations` entries
    /// other than `Segment.io`, and their `remotePlugins`). `old` is nil for a new source.
    public init(from old: JSONValue?, to new: JSONValue) {
        let before = old.map(Self.destinations) ?? [:]
        let after = Self.destinations(new)
        added = after.keys.filter { before[$0] == nil }.sorted()
        removed = before.keys.filter { after[$0] == nil }.sorted()
        changed = after.keys.filter { before[$0] != nil && before[$0] != after[$0] }.sorted()
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
