/// Accumulates the parts of one settings document as the compiler walks a source's instances.
struct DocumentBuilder {
    let source: Source
    let workspace: Workspace
    private var integrations: [String: JSONValue] = [:]
    private var unbundled: [String] = []
    private var maybeBundledConfigIds: [String: [JSONValue]] = [:]
    private var remotePlugins: [JSONValue] = []
    private var bundles: [JSONValue] = []
    private var routingRules: [JSONValue] = []
    private var destinationIDs: Set<String> = []

    init(source: Source, workspace: Workspace) {
        self.source = source
        self.workspace = workspace
    }

    mutating func addCloud(_ instance: DestinationInstance, _ destination: CatalogDestination) {
        integrations[instance.name] = ["bundlingStatus": "unbundled"]
        unbundled.append(instance.name)
        note(instance, destination)
    }

    mutating func addDevice(
        _ instance: DestinationInstance, _ destination: CatalogDestination, settings: [String: JSONValue]
    ) {
        integrations[instance.name] = .object(settings)
        maybeBundledConfigIds[destination.name, default: []].append(.string(instance.id))
        routingRules += RoutingRules.rules(for: instance)
        note(instance, destination)
    }

    mutating func addBundle(
        _ instance: DestinationInstance, _ destination: CatalogDestination, url: String, integrity: String
    ) {
        bundles.append([
            "instance": .string(instance.name),
            "destination": .string(destination.name),
            "url": .string(url),
            "integrity": .string(integrity),
        ])
    }

    mutating func addRemotePlugin(_ plugin: JSONValue) {
        remotePlugins.append(plugin)
    }

    private mutating func note(_ instance: DestinationInstance, _ destination: CatalogDestination) {
        destinationIDs.insert(destination.id)
    }

    var surrogateKeys: [String] {
        ["workspace:\(workspace.id)", "source:\(source.id)", "writekey:\(source.writeKey)"]
            + destinationIDs.sorted().map { "destination:\($0)" }
    }

    func build() -> JSONValue {
        var all = integrations
        all["Segment.io"] = [
            "apiKey": .string(source.writeKey),
            "apiHost": .string(workspace.ingestionHost),
            "addBundledMetadata": true,
            "unbundledIntegrations": .array(unbundled.sorted().map(JSONValue.string)),
            "maybeBundledConfigIds": .object(maybeBundledConfigIds.mapValues(JSONValue.array)),
        ]
        return [
            "integrations": .object(all),
            "remotePlugins": .array(remotePlugins),
            "plan": ["track": ["__default": ["enabled": true, "integrations": [:]]]],
            "middlewareSettings": ["routingRules": .array(routingRules)],
            "enabledMiddleware": [:],
            "metrics": ["sampleRate": 0],
            "legacyVideoPluginsEnabled": false,
            ManifestCompiler.extensionKey: [
                "writeKey": .string(source.writeKey),
                "sourceId": .string(source.id),
                "workspaceId": .string(workspace.id),
                "sourceKind": .string(source.kind.rawValue),
                "bundles": .array(bundles),
            ],
        ]
    }
}
