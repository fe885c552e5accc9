import ManifestBuilder

/// What the catalog listing says about each destination per source kind: whether a source of
/// that kind may connect it at all, and whether it may connect several instances.
///
/// Computed once by asking the connection rules themselves about small synthetic sources
/// (one instance, then two), rather than restating the rules here: the listing cannot drift
/// from what a write will accept.
public struct CatalogFacts: Sendable {
    private var allowed: [String: Set<SourceKind>] = [:]
    private var multi: [String: Set<SourceKind>] = [:]

    public init(rules: ConnectionRules) {
        for entry in rules.catalog.destinations {
            for kind in SourceKind.allCases {
                let mode: ConnectionMode = entry.modes.contains(.cloud) ? .cloud : .device
                if Self.valid(entry, kind: kind, mode: mode, count: 1, rules: rules) {
                    allowed[entry.id, default: []].insert(kind)
                }
                if Self.valid(entry, kind: kind, mode: mode, count: 2, rules: rules) {
                    multi[entry.id, default: []].insert(kind)
                }
            }
        }
    }

    public func allowedKinds(_ entry: CatalogDestination) -> [SourceKind] {
        SourceKind.allCases.filter { allowed[entry.id]?.contains($0) == true }
    }

    public func multiInstance(_ entry: CatalogDestination, on kind: SourceKind) -> Bool {
        multi[entry.id]?.contains(kind) == true
    }

    private static func valid(
        _ entry: CatalogDestination, kind: SourceKind, mode: ConnectionMode, count: Int, rules: ConnectionRules
    ) -> Bool {
        let settings = sampleSettings(entry)
        let instances = (0..<count).map { index in
            DestinationInstance(
                id: "i\(index)", name: "\(entry.name) \(index)", destination: entry.name, mode: mode,
                settings: settings)
        }
        let source = Source(id: "s", name: "s", kind: kind, writeKey: "wk", instances: instances)
        return rules.validate(Workspace(id: "w", name: "w", sources: [source])).isValid
    }

    /// A value of the right type for every required setting: enough for the rules to judge the
    /// connection itself rather than the settings.
    static func sampleSettings(_ entry: CatalogDestination) -> [String: JSONValue] {
        Dictionary(uniqueKeysWithValues: entry.settings.filter(\.required).map { ($0.name, sample($0.type)) })
    }

    private static func sample(_ type: SettingType) -> JSONValue {
        switch type {
        case .string: "x"
        case .number, .integer: 1
        case .boolean: true
        case .array: []
        case .object: [:]
        }
    }
}
