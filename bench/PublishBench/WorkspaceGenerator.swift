import ManifestBuilder

/// Generates a large valid workspace from a catalog: `sources` sources (70% web, 20% mobile,
/// 10% server) with about `instancesPerSource` instances each, every setting filled as its
/// schema types it. Deterministic for a seed.
struct WorkspaceGenerator {
    let catalog: Catalog
    var sources = 100_000
    var instancesPerSource = 8
    var seed: UInt64 = 42

    func generate() -> Workspace {
        var rng = SplitMix64(seed: seed)
        // Data lakes are left out: at most one per source (R8) would need special handling.
        let destinations = catalog.destinations.filter { !$0.dataLake }
        var generated: [Source] = []
        generated.reserveCapacity(sources)
        for index in 0..<sources {
            let roll = rng.next() % 10
            let kind: SourceKind = roll < 7 ? .web : (roll < 9 ? .mobile : .server)
            var instances: [DestinationInstance] = []
            var candidates = destinations.filter { kind != .server || $0.modes.contains(.cloud) }
            candidates.shuffle(using: &rng)
            for destination in candidates.prefix(instancesPerSource) {
                let mode: ConnectionMode =
                    kind == .server || !destination.modes.contains(.device)
                    ? .cloud : (destination.modes.contains(.cloud) && rng.next() % 2 == 0 ? .cloud : .device)
                instances.append(
                    DestinationInstance(
                        id: "s\(index)-\(destination.id)", name: destination.name, destination: destination.name,
                        mode: mode, enabled: rng.next() % 16 != 0, settings: settings(for: destination, &rng)))
            }
            generated.append(
                Source(
                    id: "s\(index)", name: "Source \(index)", kind: kind,
                    writeKey: "wk_\(index)_\(rng.next() % 1_000_000)", instances: instances))
        }
        return Workspace(id: "ws_bench", name: "Benchmark", ingestionHost: "api.bench.example/v1", sources: generated)
    }

    private func settings(for destination: CatalogDestination, _ rng: inout SplitMix64) -> [String: JSONValue] {
        var settings: [String: JSONValue] = [:]
        for field in destination.settings where field.required || rng.next() % 2 == 0 {
            switch field.type {
            case .string: settings[field.name] = .string("\(field.name)-\(rng.next() % 100_000_000)")
            case .number: settings[field.name] = .double(Double(rng.next() % 1000) / 8)
            case .integer: settings[field.name] = .int(Int(rng.next() % 1000))
            case .boolean: settings[field.name] = .bool(rng.next() % 2 == 0)
            case .array: settings[field.name] = [.string("a\(rng.next() % 100)"), .string("b\(rng.next() % 100)")]
            case .object: settings[field.name] = ["key": .string("v\(rng.next() % 100)")]
            }
        }
        return settings
    }
}
