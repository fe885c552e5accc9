import Foundation
import ManifestBuilder

/// The body of "Create Destination", read strictly and resolved against the catalog.
struct DestinationCreateInput: Sendable {
    static let fields: Set<String> = [
        "name", "id", "destination", "displayName", "mode", "enabled", "settings", "filters",
    ]

    var instance: DestinationInstance

    /// `name` (the namespace) must name this workspace and source; its last segment, or `id`,
    /// or a generated id, is the instance id. `destination` is a catalog destination id or name.
    init(_ body: JSONBody, workspace: String, source: String, catalog: Catalog) throws(ControlError) {
        var id = try body.identifier("id")
        if let name = try body.string("name", maxLength: 300) {
            guard let parsed = ResourceName.parseDestination(name), parsed.workspace == workspace,
                parsed.source == source
            else {
                throw .badRequest(
                    "'name' must be \(ResourceName.destination(workspace, source, "{instance}")): it says "
                        + "which source the destination belongs to.", pointer: "/name")
            }
            if let id, id != parsed.instance {
                throw .badRequest("'id' and the last segment of 'name' differ.", pointer: "/id")
            }
            id = parsed.instance
        }
        let reference = try body.string("destination", required: true)!
        let entry = try Self.resolve(reference, catalog: catalog)
        let mode = try body.enumeration("mode", ConnectionMode.self, required: true)!
        let settings = try body.object("settings") ?? [:]
        instance = DestinationInstance(
            id: id ?? IdentifierGenerator.make(prefix: "dst"), name: try body.string("displayName"),
            destination: entry.name, mode: mode, enabled: try body.bool("enabled") ?? false,
            settings: SecretMasker(catalog: catalog).unmasking(settings, existing: [:], destination: entry.name),
            filters: try body.filters("filters") ?? [])
    }

    /// A catalog destination by id or name. A catalog *source* is refused with the id of the
    /// destination of the same name, if there is one, so it cannot be added by mistake.
    static func resolve(_ reference: String, catalog: Catalog) throws(ControlError) -> CatalogDestination {
        if let entry = catalog.destinations.first(where: { $0.id == reference })
            ?? catalog.destination(named: reference)
        {
            return entry
        }
        if let source = catalog.sources.first(where: { $0.id == reference || $0.name == reference }) {
            let hint =
                catalog.destination(named: source.name).map { "; the destination \(source.name) is '\($0.id)'" } ?? ""
            throw .violations([
                ProblemViolation(
                    rule: .w2, pointer: "/destination", path: "$.destination",
                    message: "'\(reference)' is a source in the catalog, not a destination\(hint)")
            ])
        }
        throw .violations([
            ProblemViolation(
                rule: .w2, pointer: "/destination", path: "$.destination",
                message:
                    "the catalog has no destination with id or name '\(reference)'; list them at /v1/catalog/destinations"
            )
        ])
    }
}

/// The body of an update: any of these fields; the others are read-only.
struct DestinationPatchInput: Sendable {
    static let fields: Set<String> = [
        "displayName", "mode", "enabled", "settings", "filters", "name", "id", "destination",
    ]

    var displayName: String?
    var mode: ConnectionMode?
    var enabled: Bool?
    var settings: [String: JSONValue]?
    var filters: [DestinationFilter]?

    init(_ body: JSONBody) throws(ControlError) {
        for field in ["name", "id", "destination"] where body.has(field) {
            throw .badRequest("'\(field)' cannot be changed; create another destination instead.", pointer: "/\(field)")
        }
        displayName = try body.string("displayName")
        mode = try body.enumeration("mode", ConnectionMode.self)
        enabled = try body.bool("enabled")
        settings = try body.object("settings")
        filters = try body.filters("filters")
    }

    /// Whether the update only switches the `enabled` toggle (the audit log names it so).
    var isToggleOnly: Bool {
        enabled != nil && displayName == nil && mode == nil && settings == nil && filters == nil
    }

    /// The instance with these changes; secrets sent as the mask keep their stored value.
    func applied(to instance: DestinationInstance, masker: SecretMasker) -> DestinationInstance {
        var changed = instance
        if let displayName { changed.name = displayName }
        if let mode { changed.mode = mode }
        if let enabled { changed.enabled = enabled }
        if let settings {
            changed.settings = masker.unmasking(
                settings, existing: instance.settings, destination: instance.destination)
        }
        if let filters { changed.filters = filters }
        return changed
    }
}

/// Random identifiers for resources created without one.
enum IdentifierGenerator {
    static func make(prefix: String, bytes: Int = 6) -> String {
        var generator = SystemRandomNumberGenerator()
        let hex = (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }
        return "\(prefix)_\(hex.joined())"
    }
}
