import Foundation
import ManifestBuilder

/// A small catalog with one destination per rule-relevant shape, independent of the fixtures.
package enum TestCatalog {
    package static let catalog: Catalog = {
        func destination(
            _ name: String, _ modes: Set<ConnectionMode>, family: DestinationFamily = .classic, multi: Bool,
            byKind: [SourceKind: Bool] = [:], dataLake: Bool = false
        ) -> CatalogDestination {
            let bundle: DeviceBundle? =
                modes.contains(.device)
                ? (family == .actions
                    ? DeviceBundle(version: "1.0.0", directory: "dir", libraryName: "dirDestination")
                    : DeviceBundle(version: "1.0.0"))
                : nil
            return CatalogDestination(
                id: name.lowercased(), name: name, family: family, modes: modes, multiInstance: multi,
                multiInstanceBySourceKind: byKind, dataLake: dataLake,
                settings: [
                    SettingField(name: "apiKey", type: .string, required: true),
                    SettingField(name: "secretKey", type: .string, secret: true),
                    SettingField(name: "sampleRate", type: .number),
                    SettingField(name: "batchSize", type: .integer),
                    SettingField(name: "trackPages", type: .boolean),
                ],
                bundle: bundle)
        }
        return try! Catalog(
            destinations: [
                destination("Amplitude", [.cloud, .device], multi: true),
                destination("Mixpanel", [.cloud, .device], multi: true),
                destination("Webhooks", [.cloud], multi: true),
                destination("Marketo V2", [.cloud], multi: false),
                destination("Google Tag Manager", [.device], multi: false),
                destination(
                    "Amplitude (Actions)", [.cloud, .device], family: .actions, multi: true,
                    byKind: [.mobile: false, .project: false]),
                destination("Braze Cloud Mode (Actions)", [.cloud, .device], family: .actions, multi: false),
                destination("Braze Web Mode (Actions)", [.device], family: .actions, multi: false),
                destination("Segment Data Lakes (AWS)", [.cloud], multi: false, dataLake: true),
                destination("Segment Data Lakes (Azure)", [.cloud], multi: false, dataLake: true),
            ],
            sources: [CatalogSource(id: "source-zendesk", name: "Zendesk")])
    }()

    package static let rules = ConnectionRules(catalog: catalog)
}

/// An instance with valid settings, so that a test breaks only the rule it is about.
package func instance(
    _ id: String, _ destination: String, _ mode: ConnectionMode, name: String? = nil, enabled: Bool = true,
    settings: [String: JSONValue]? = nil
) -> DestinationInstance {
    DestinationInstance(
        id: id, name: name ?? id, destination: destination, mode: mode, enabled: enabled,
        settings: settings ?? ["apiKey": .string("key-\(id)")])
}

package func workspace(_ sources: Source...) -> Workspace {
    Workspace(id: "ws", name: "Test", sources: sources)
}

package func source(_ id: String, _ kind: SourceKind, _ instances: [DestinationInstance]) -> Source {
    Source(id: id, name: id.capitalized, kind: kind, writeKey: "wk_\(id)", instances: instances)
}

extension ValidationReport {
    package var errorRules: [RuleID] { errors.map(\.rule) }
}

extension TestCatalog {
    /// A tiny script per device-mode destination.
    package static let stubs: [String: [UInt8]] = Dictionary(
        uniqueKeysWithValues: catalog.destinations
            .filter { $0.bundle != nil }
            .map { ($0.id, Array("window.stub_\($0.id.filter(\.isLetter)) = true;\n".utf8)) })

    package static let bundles = try! BundleSet(catalog: catalog, stubs: stubs)
    package static let cdnBase = "https://cdn.test.example"
    package static let compiler = ManifestCompiler(catalog: catalog, bundles: bundles, cdnBase: cdnBase)
}

/// A web source with one instance of each kind the compiler treats differently.
package let storefront = source(
    "store", .web,
    [
        instance(
            "amp-device", "Amplitude", .device, name: "Amplitude",
            settings: ["apiKey": "amp-public", "secretKey": "amp-SECRET", "trackPages": true]),
        instance(
            "amp-na", "Amplitude", .cloud, name: "Amplitude North America",
            settings: ["apiKey": "amp-na-public", "secretKey": "amp-na-SECRET"]),
        instance(
            "braze", "Braze Web Mode (Actions)", .device, name: "Braze EU",
            settings: ["apiKey": "braze-public", "secretKey": "braze-SECRET"]),
        instance("hook", "Webhooks", .cloud, name: "Order Hook"),
        instance(
            "gtm", "Google Tag Manager", .device, name: "GTM", enabled: false,
            settings: ["apiKey": "gtm-disabled-public"]),
    ])

/// The storefront, a mobile app and a server source (which gets no manifest): what the
/// publisher tests publish.
package let publishedWorkspace = workspace(
    storefront, source("app", .mobile, [instance("amp-app", "Amplitude", .device)]),
    source("srv", .server, [instance("srv-hook", "Webhooks", .cloud)]))

package func decodeJSON(_ bytes: [UInt8]) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
}
