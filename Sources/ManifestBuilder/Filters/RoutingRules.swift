import Synchronization

/// Destination filters as the browser library's routing middleware reads them:
/// `middlewareSettings.routingRules` (`../shared/spec/routing-rules.md`).
enum RoutingRules {
    /// One rule per filter of a device-mode instance. The library ties a rule to a destination
    /// by the key it loads it under: the instance name, for classic destinations (the key in
    /// `integrations`) and for Actions destinations alike (the remote plugin's `creationName`).
    /// Conditions that do not compile are left out; validation (rule F1) refuses them first.
    /// The IR of each condition compiled so far, as canonical JSON text (nil: does not compile).
    /// A large workspace repeats a few conditions over thousands of instances; compiling each
    /// once per process instead of once per instance was 3% of an unchanged re-publish of
    /// 10,000 sources (issue 16). Cleared when it reaches 4,096 conditions.
    private static let irTexts = Mutex<[String: String?]>([:])

    static func irText(of condition: String) -> String? {
        if let known = irTexts.withLock({ $0[condition] }) { return known }
        let text = (try? FQL.compile(condition)).map { String(decoding: CanonicalJSON.encode($0.ir), as: UTF8.self) }
        irTexts.withLock { texts in
            if texts.count >= 4_096 { texts.removeAll() }
            texts[condition] = .some(text)
        }
        return text
    }

    static func rules(for instance: DestinationInstance) -> [JSONValue] {
        instance.filters.compactMap { filter in
            guard let ir = irText(of: filter.condition) else { return nil }
            return [
                "destinationName": .string(instance.name),
                "matchers": [
                    [
                        "type": "fql",
                        "ir": .string(ir),
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
