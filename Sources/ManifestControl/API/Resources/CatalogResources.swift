import ManifestBuilder

/// Catalog entries as the API shows them.
enum CatalogResources {
    static func destination(_ entry: CatalogDestination, facts: CatalogFacts, detail: Bool) -> JSONValue {
        var members: [String: JSONValue] = [
            "id": .string(entry.id), "name": .string(entry.name), "family": .string(entry.family.rawValue),
            "modes": .array(entry.modes.map(\.rawValue).sorted().map(JSONValue.string)),
            "dataLake": .bool(entry.dataLake),
            "sourceKinds": .array(facts.allowedKinds(entry).map { .string($0.rawValue) }),
            "multiInstance": .object(
                Dictionary(
                    uniqueKeysWithValues: SourceKind.allCases.map {
                        ($0.rawValue, JSONValue.bool(facts.multiInstance(entry, on: $0)))
                    })),
            "kind": "destination",
        ]
        if detail {
            members["settings"] = .array(
                entry.settings.map { field in
                    .object([
                        "name": .string(field.name), "type": .string(field.type.rawValue),
                        "required": .bool(field.required), "secret": .bool(field.secret),
                    ])
                })
        }
        return .object(members)
    }

    /// A catalog source: never addable as a destination. When a destination has the same name
    /// (Customer.io, Leanplum, Airship), the entry names it, so a client that meant the
    /// destination finds its id here instead of adding the source by mistake.
    static func source(_ entry: CatalogSource, catalog: Catalog) -> JSONValue {
        .object([
            "id": .string(entry.id), "name": .string(entry.name), "kind": "source",
            "addableAsDestination": false,
            "destinationWithSameName": catalog.destination(named: entry.name).map { .string($0.id) } ?? .null,
        ])
    }
}
