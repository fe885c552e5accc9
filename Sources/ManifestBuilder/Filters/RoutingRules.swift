/// Destination filters as the browser library's routing middleware reads them:
/// `middlewareSettings.routingRules` (`../shared/spec/routing-rules.md`).
enum RoutingRules {
    /// One rule per filter of a device-mode instance. The library ties a rule to a destination
    /// by the key it loads it under: the instance name, for classic destinations (the key in
    /// `integrations`) and for Actions destinations alike (the remote plugin's `creationName`).
    /// Conditions that do not compile are left out; validation (rule F1) refuses them first.
    static func rules(for instance: DestinationInstance) -> [JSONValue] {
        instance.filters.compactMap { filter in
            guard let expression = try? FQL.compile(filter.condition) else { return nil }
            return [
                "destinationName": .string(instance.name),
                "matchers": [
                    [
                        "type": "fql",
                        "ir": .string(String(decoding: CanonicalJSON.encode(expression.ir), as: UTF8.self)),
                        "config": ["expr": .string(filter.condition)],
                    ]
                ],
                "transformers": [[transformer(filter.action)]],
            ]
        }
    }

    static func transformer(_ action: DestinationFilter.Action) -> JSONValue {
        switch action {
        case .drop:
            return ["type": "drop"]
        case .sample(let percent, let path):
            var sample: [String: JSONValue] = ["percent": .double(percent / 100)]
            if let path { sample["path"] = .string(path) }
            return ["type": "sample_event", "config": ["sample": .object(sample)]]
        case .dropProperties(let fields):
            return ["type": "drop_properties", "config": ["drop": byObject(fields)]]
        case .allowProperties(let fields):
            return ["type": "allow_properties", "config": ["allow": byObject(fields)]]
        }
    }

    /// `["properties.email", "userId"]` as `{"properties": ["email"], "": ["userId"]}`: the
    /// library names the object (a dot path, `""` for the event) and the fields in it.
    private static func byObject(_ fields: [String]) -> JSONValue {
        var grouped: [String: [JSONValue]] = [:]
        for field in fields {
            let parts = field.split(separator: ".")
            let object = parts.dropLast().joined(separator: ".")
            grouped[object, default: []].append(.string(String(parts.last ?? "")))
        }
        return .object(grouped.mapValues(JSONValue.array))
    }
}
