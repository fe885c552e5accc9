/// One instance that receives a call, with the options the call's integrations object gave
/// its destination.
public struct Delivery: Hashable, Sendable {
    public var instance: DestinationInstance
    public var options: [String: JSONValue]

    public init(instance: DestinationInstance, options: [String: JSONValue] = [:]) {
        self.instance = instance
        self.options = options
    }
}

/// The integrations object a site sends with an event or page call.
///
/// Keys are destination (catalog) names, never instance names: a value applies to every
/// instance of that destination. `"Name": false` turns them all off; `"All": false` turns every
/// destination off except those set to `true` or to an options object; an object value enables
/// the destination and passes the same options to each of its instances. Any other value
/// (a string, a number) counts as `true`, as JavaScript truthiness would have it for the
/// common cases. Disabled instances never receive anything (R14).
public enum IntegrationsObject {
    public static let allKey = "All"

    /// The enabled instances of `source` that receive a call carrying `integrations`, in source order.
    public static func deliveries(for source: Source, integrations: [String: JSONValue]) -> [Delivery] {
        let defaultOn = integrations[allKey] != .bool(false)
        return source.instances.compactMap { instance in
            guard instance.enabled else { return nil }
            switch integrations[instance.destination] {
            case nil: return defaultOn ? Delivery(instance: instance) : nil
            case .bool(false)?, .null?: return nil
            case .object(let options)?: return Delivery(instance: instance, options: options)
            case _?: return Delivery(instance: instance)
            }
        }
    }
}
