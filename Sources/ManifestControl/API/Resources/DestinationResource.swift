import Foundation
import ManifestBuilder

/// A destination instance as the API shows it, secrets masked.
struct DestinationResource {
    var workspace: String
    var sourceID: String
    var instance: DestinationInstance
    var masker: SecretMasker

    var catalogEntry: CatalogDestination? { masker.catalog.destination(named: instance.destination) }

    var name: String { ResourceName.destination(workspace, sourceID, instance.id) }

    var json: JSONValue {
        let filters =
            (try? JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(instance.filters))) ?? .array([])
        return .object([
            "name": .string(name), "id": .string(instance.id),
            "source": .string(ResourceName.source(workspace, sourceID)),
            "destination": .object([
                "id": catalogEntry.map { .string($0.id) } ?? .null, "name": .string(instance.destination),
            ]),
            "displayName": .string(instance.name), "mode": .string(instance.mode.rawValue),
            "enabled": .bool(instance.enabled),
            "settings": .object(masker.masked(instance.settings, destination: instance.destination)),
            "filters": filters,
        ])
    }

}

/// What a write did to the published manifest of the source it touched.
struct ManifestOutcome: Sendable, Hashable {
    enum Status: String, Sendable {
        /// A new version was published.
        case published
        /// The manifest did not change; `version` is the one being served.
        case unchanged
        /// The state was saved but publishing failed: the change reaches edges after the next
        /// successful publish (every write and every start republishes).
        case failed
        /// The source has no manifest (server sources), or live publishing is off.
        case noManifest = "none"
    }

    var status: Status
    var writeKey: String?
    var version: Int?
    var detail: String?

    var json: JSONValue {
        var members: [String: JSONValue] = ["status": .string(status.rawValue)]
        members["writeKey"] = writeKey.map(JSONValue.string) ?? .null
        members["version"] = version.map(JSONValue.int) ?? .null
        if let detail { members["detail"] = .string(detail) }
        return .object(members)
    }
}
