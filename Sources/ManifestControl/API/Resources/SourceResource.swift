import ManifestBuilder

/// A source as the API shows it: `name` is the resource name, `displayName` the source's own.
struct SourceResource {
    var workspace: String
    var source: Source

    var json: JSONValue {
        .object([
            "name": .string(ResourceName.source(workspace, source.id)), "id": .string(source.id),
            "displayName": .string(source.name), "kind": .string(source.kind.rawValue),
            "writeKey": .string(source.writeKey), "destinationCount": .int(source.instances.count),
        ])
    }

    /// What the entity tag covers: a source's own fields, not its destinations (which have
    /// their own tags), so renaming a source does not conflict with editing its destinations.
    struct TagState: Encodable {
        var id: String
        var name: String
        var kind: String
        var writeKey: String
    }

    var tagState: TagState {
        TagState(id: source.id, name: source.name, kind: source.kind.rawValue, writeKey: source.writeKey)
    }
}
