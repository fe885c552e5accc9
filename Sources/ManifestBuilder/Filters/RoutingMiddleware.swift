/// What the browser library's routing middleware does with a settings document's
/// `middlewareSettings.routingRules`: for each event and destination, the rules for that
/// destination in order; a matching rule's transformers drop the event or reshape it.
///
/// Used by the simulated Analytics.js client; the first-party loader does the same in
/// JavaScript (`manifest-loader.js`), and both hash a sample path the same way.
public struct RoutingMiddleware: Sendable {
    struct Rule: Sendable {
        var destinationName: String?
        /// Each matcher (nil: `all`) with the transformers that apply when it matches.
        var steps: [(matcher: FilterExpression?, transformers: [JSONValue])]
    }

    private let rules: [Rule]

    /// The rules of a settings document; rules it cannot read are skipped, as the library would
    /// fail them.
    public init(document: JSONValue) {
        guard case .array(let list)? = document["middlewareSettings"]?["routingRules"] else {
            rules = []
            return
        }
        rules = list.compactMap(Self.rule)
    }

    public var isEmpty: Bool { rules.isEmpty }

    /// The event as `destination` receives it, or nil when a rule drops it. `draw` gives a
    /// number in [0, 1) for samples without a path.
    public func route(_ event: JSONValue, to destination: String, draw: () -> Double) -> JSONValue? {
        var event = event
        for rule in rules where rule.destinationName == nil || rule.destinationName == destination {
            for step in rule.steps where step.matcher?.matches(event) ?? true {
                for transformer in step.transformers {
                    guard let transformed = Self.apply(transformer, to: event, draw: draw) else { return nil }
                    event = transformed
                }
            }
        }
        return event
    }

    private static func rule(_ value: JSONValue) -> Rule? {
        guard case .array(let matchers)? = value["matchers"], case .array(let transformers)? = value["transformers"],
            matchers.count == transformers.count
        else { return nil }
        var steps: [(FilterExpression?, [JSONValue])] = []
        for (matcher, list) in zip(matchers, transformers) {
            guard case .array(let transformerList) = list else { return nil }
            if matcher["type"] == "all" {
                steps.append((nil, transformerList))
            } else if case .string(let text)? = matcher["ir"], let ir = try? JSONValue.parse(Array(text.utf8)),
                let expression = FilterExpression(ir: ir)
            {
                steps.append((expression, transformerList))
            } else {
                return nil
            }
        }
        if case .string(let name)? = value["destinationName"] { return Rule(destinationName: name, steps: steps) }
        return Rule(destinationName: nil, steps: steps)
    }

    private static func apply(_ transformer: JSONValue, to event: JSONValue, draw: () -> Double) -> JSONValue? {
        switch transformer["type"] {
        case "drop": return nil
        case "sample_event":
            guard case .object(let sample)? = transformer["config"]?["sample"] else { return event }
            let percent = sample["percent"].flatMap(Self.number) ?? 1
            let roll: Double
            if case .string(let path)? = sample["path"] {
                roll = SampleHash.fraction(FilterExpression.resolve(path, in: event))
            } else {
                roll = draw()
            }
            // Not `roll < percent ? event : nil`: JSONValue is nil-literal expressible, so that
            // would be the JSON null, not "dropped".
            guard roll < percent else { return nil }
            return event
        case "drop_properties":
            return reshape(event, transformer["config"]?["drop"]) { members, names in
                members.filter { !names.contains($0.key) }
            }
        case "allow_properties":
            return reshape(event, transformer["config"]?["allow"]) { members, names in
                members.filter { names.contains($0.key) }
            }
        default: return event
        }
    }

    /// Applies `keep` to each object the config names (`""` is the event itself).
    private static func reshape(
        _ event: JSONValue, _ config: JSONValue?, _ keep: ([String: JSONValue], Set<String>) -> [String: JSONValue]
    ) -> JSONValue {
        guard case .object(let objects)? = config else { return event }
        var event = event
        for (path, value) in objects {
            guard case .array(let list) = value else { continue }
            let names = Set(list.compactMap { if case .string(let name) = $0 { name } else { nil } })
            event = event.updating(path.split(separator: ".").map(String.init)) { object in
                guard case .object(let members) = object else { return object }
                return .object(keep(members, names))
            }
        }
        return event
    }

    private static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .int(let number): Double(number)
        case .double(let number): number
        default: nil
        }
    }
}

/// Where a sample with a path puts a value: the same value always in or always out. FNV-1a
/// (32 bits) of the value's JSON text, as a fraction of 2^32; the loader computes the same.
public enum SampleHash {
    public static func fraction(_ value: JSONValue?) -> Double {
        let text: [UInt8] = value.map(CanonicalJSON.encode) ?? Array("undefined".utf8)
        var hash: UInt32 = 0x811C_9DC5
        for byte in text {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        return Double(hash) / 4_294_967_296
    }
}

extension FilterExpression {
    /// Reads the IR back (what the library parses from a rule's `ir`).
    public init?(ir: JSONValue) {
        switch ir {
        case .string(let path): self = .path(path)
        case .object(let members):
            guard let value = members["value"] else { return nil }
            self = .literal(value)
        case .array(let parts):
            guard case .string(let name)? = parts.first, let op = Operator(rawValue: name) else { return nil }
            var operands: [FilterExpression] = []
            for part in parts.dropFirst() {
                guard let operand = FilterExpression(ir: part) else { return nil }
                operands.append(operand)
            }
            self = .call(op, operands)
        default: return nil
        }
    }
}

extension JSONValue {
    /// The value with the object at `path` (keys from the root; empty: the value itself)
    /// replaced by `change` of it; unchanged when the path leads nowhere.
    func updating(_ path: [String], _ change: (JSONValue) -> JSONValue) -> JSONValue {
        guard let key = path.first else { return change(self) }
        guard case .object(var members) = self, let child = members[key] else { return self }
        members[key] = child.updating(Array(path.dropFirst()), change)
        return .object(members)
    }
}
