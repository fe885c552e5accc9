import ManifestBuilder

/// Replaces the values of settings the catalog marks secret with a fixed mask, for every
/// response, audit record and log line. Secrets are write-only: nobody reads them back.
///
/// The mask is the string `"••••••"` for any set value (null stays null, so a client can tell
/// a secret that is set from one that is not). Sending the mask back in an update keeps the
/// stored value, so a client can round-trip a resource it read without erasing its secrets.
public struct SecretMasker: Sendable {
    public static let mask = "••••••"

    public let catalog: Catalog

    public init(catalog: Catalog) {
        self.catalog = catalog
    }

    /// The settings with secret values masked.
    public func masked(_ settings: [String: JSONValue], destination: String) -> [String: JSONValue] {
        guard let entry = catalog.destination(named: destination) else { return settings }
        var masked = settings
        for field in entry.settings where field.secret {
            if let value = settings[field.name], value != .null { masked[field.name] = .string(Self.mask) }
        }
        return masked
    }

    /// Incoming settings where a secret sent as the mask keeps the value it had in `existing`.
    public func unmasking(_ incoming: [String: JSONValue], existing: [String: JSONValue], destination: String)
        -> [String: JSONValue]
    {
        guard let entry = catalog.destination(named: destination) else { return incoming }
        var settings = incoming
        for field in entry.settings where field.secret && incoming[field.name] == .string(Self.mask) {
            settings[field.name] = existing[field.name]
        }
        return settings
    }
}
