/// How an instance sends data: from Segment-style servers (`cloud`) or from the SDK the
/// browser or app loads itself (`device`).
public enum ConnectionMode: String, Codable, Sendable, CaseIterable {
    case cloud
    case device
}

/// Classic destinations load an SDK through `norm`-keyed globals; Actions destinations load a
/// plugin factory listed in `remotePlugins`. The two families have different bundle contracts.
public enum DestinationFamily: String, Codable, Sendable {
    case classic
    case actions
}

/// The kind of a source decides which connection rules apply to it.
public enum SourceKind: String, Codable, Sendable, CaseIterable, CodingKeyRepresentable {
    case web
    case mobile
    case server
    /// The legacy Project source: behaves like `mobile` for the rules.
    case project

    /// Mobile and Project sources bundle SDKs at build time and share R5.
    public var isMobileLike: Bool { self == .mobile || self == .project }
}

/// The JSON type a setting must have.
public enum SettingType: String, Codable, Sendable {
    case string, number, integer, boolean, array, object
}

/// One field of a destination's settings schema.
public struct SettingField: Codable, Hashable, Sendable {
    public var name: String
    public var type: SettingType
    public var required: Bool
    /// Secret settings (API secrets, server tokens) never reach a public manifest.
    public var secret: Bool

    public init(name: String, type: SettingType, required: Bool = false, secret: Bool = false) {
        self.name = name
        self.type = type
        self.required = required
        self.secret = secret
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.name = try container.decode(String.self, forKey: .name)
        self.type = try container.decode(SettingType.self, forKey: .type)
        self.required = try container.decodeIfPresent(Bool.self, forKey: .required) ?? false
        self.secret = try container.decodeIfPresent(Bool.self, forKey: .secret) ?? false
    }
}

/// The SDK the browser loads for a device-mode instance.
///
/// Classic bundles live at `/next-integrations/integrations/{norm}/{version}/{norm}.dynamic.js.gz`;
/// Actions bundles at `/next-integrations/actions/{directory}/{contenthash}.js` and define the
/// global `libraryName`.
public struct DeviceBundle: Codable, Hashable, Sendable {
    public var version: String
    /// Actions only: the bundle's directory under `next-integrations/actions/`.
    public var directory: String?
    /// Actions only: the global the bundle defines (a plugin factory).
    public var libraryName: String?

    public init(version: String, directory: String? = nil, libraryName: String? = nil) {
        self.version = version
        self.directory = directory
        self.libraryName = libraryName
    }
}

/// A destination as the catalog describes it: what the rules and the compiler need to know.
///
/// Immutable, and a class so that the rules and the compiler can hold one per instance of a
/// large workspace at the cost of a reference.
public final class CatalogDestination: Codable, Hashable, Sendable {
    public let id: String
    /// The catalog name: the key of the integrations object and of classic bundle paths.
    public let name: String
    /// One sentence on what the destination does, for the console's catalog panel.
    public let summary: String?
    public let family: DestinationFamily
    public let modes: Set<ConnectionMode>
    /// Whether a source may connect several instances, unless `multiInstanceBySourceKind` says
    /// otherwise for that source's kind (R6, R7).
    public let multiInstance: Bool
    public let multiInstanceBySourceKind: [SourceKind: Bool]
    /// Data Lakes destinations: at most one per source (R8).
    public let dataLake: Bool
    public let settings: [SettingField]
    /// Present exactly when the destination supports device mode.
    public let bundle: DeviceBundle?

    public static func == (lhs: CatalogDestination, rhs: CatalogDestination) -> Bool {
        lhs === rhs
            || (lhs.id == rhs.id && lhs.name == rhs.name && lhs.family == rhs.family && lhs.modes == rhs.modes
                && lhs.multiInstance == rhs.multiInstance
                && lhs.multiInstanceBySourceKind == rhs.multiInstanceBySourceKind
                && lhs.dataLake == rhs.dataLake && lhs.settings == rhs.settings && lhs.bundle == rhs.bundle
                && lhs.summary == rhs.summary)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(name)
    }

    public init(
        id: String, name: String, family: DestinationFamily, modes: Set<ConnectionMode>,
        multiInstance: Bool, multiInstanceBySourceKind: [SourceKind: Bool] = [:], dataLake: Bool = false,
        settings: [SettingField], bundle: DeviceBundle? = nil, summary: String? = nil
    ) {
        self.id = id
        self.name = name
        self.summary = summary
        self.family = family
        self.modes = modes
        self.multiInstance = multiInstance
        self.multiInstanceBySourceKind = multiInstanceBySourceKind
        self.dataLake = dataLake
        self.settings = settings
        self.bundle = bundle
    }

    public required init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.id = try container.decode(String.self, forKey: .id)
        self.name = try container.decode(String.self, forKey: .name)
        self.summary = try container.decodeIfPresent(String.self, forKey: .summary)
        self.family = try container.decode(DestinationFamily.self, forKey: .family)
        self.modes = try container.decode(Set<ConnectionMode>.self, forKey: .modes)
        self.multiInstance = try container.decode(Bool.self, forKey: .multiInstance)
        self.multiInstanceBySourceKind =
            try container.decodeIfPresent([SourceKind: Bool].self, forKey: .multiInstanceBySourceKind) ?? [:]
        self.dataLake = try container.decodeIfPresent(Bool.self, forKey: .dataLake) ?? false
        self.settings = try container.decodeIfPresent([SettingField].self, forKey: .settings) ?? []
        self.bundle = try container.decodeIfPresent(DeviceBundle.self, forKey: .bundle)
    }

    public var isCloudOnly: Bool { modes == [.cloud] }
    public var isDeviceOnly: Bool { modes == [.device] }

    /// Whether one source of `kind` may connect several instances (R6, R7).
    public func allowsMultiInstance(on kind: SourceKind) -> Bool {
        multiInstanceBySourceKind[kind] ?? multiInstance
    }

    public func field(named name: String) -> SettingField? {
        settings.first { $0.name == name }
    }
}

/// A cloud source in the catalog. Kept apart from destinations so that adding a destination
/// never picks a source of the same name (Customer.io, Leanplum, Airship, ...).
public struct CatalogSource: Codable, Hashable, Sendable {
    public var id: String
    public var name: String
    /// One sentence on what the source imports, for the console's catalog panel.
    public var summary: String?

    public init(id: String, name: String, summary: String? = nil) {
        self.id = id
        self.name = name
        self.summary = summary
    }
}

/// The destination catalog: data, loaded from JSON, checked for consistency on creation.
public struct Catalog: Codable, Sendable {
    public private(set) var destinations: [CatalogDestination]
    public private(set) var sources: [CatalogSource]
    private var destinationsByName: [String: CatalogDestination]

    private enum CodingKeys: String, CodingKey { case destinations, sources }

    /// Throws `CatalogError` when the entries contradict each other or the bundle contracts.
    public init(destinations: [CatalogDestination], sources: [CatalogSource] = []) throws(CatalogError) {
        self.destinations = destinations
        self.sources = sources
        self.destinationsByName = [:]
        for (index, destination) in destinations.enumerated() {
            let path = "$.destinations[\(index)]"
            guard destinationsByName.updateValue(destination, forKey: destination.name) == nil else {
                throw CatalogError(path: path + ".name", message: "duplicate destination name '\(destination.name)'")
            }
            try Self.check(destination, at: path)
        }
        if Set(destinations.map(\.id)).count != destinations.count {
            throw CatalogError(path: "$.destinations", message: "destination ids must be unique")
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            destinations: try container.decode([CatalogDestination].self, forKey: .destinations),
            sources: try container.decodeIfPresent([CatalogSource].self, forKey: .sources) ?? []
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(destinations, forKey: .destinations)
        try container.encode(sources, forKey: .sources)
    }

    /// The destination with this catalog name. Sources are never returned.
    public func destination(named name: String) -> CatalogDestination? {
        destinationsByName[name]
    }

    /// Whether `name` names a catalog source (and so is a likely mix-up when used as a destination).
    public func hasSource(named name: String) -> Bool {
        sources.contains { $0.name == name }
    }

    private static func check(_ destination: CatalogDestination, at path: String) throws(CatalogError) {
        if destination.modes.isEmpty {
            throw CatalogError(path: path + ".modes", message: "\(destination.name) supports no connection mode")
        }
        let device = destination.modes.contains(.device)
        if device != (destination.bundle != nil) {
            throw CatalogError(
                path: path + ".bundle",
                message: "\(destination.name): a bundle is required exactly when device mode is supported"
            )
        }
        if let bundle = destination.bundle, destination.family == .actions,
            bundle.directory == nil || bundle.libraryName == nil
        {
            throw CatalogError(
                path: path + ".bundle",
                message: "\(destination.name): an Actions bundle needs a directory and a libraryName"
            )
        }
        if Set(destination.settings.map(\.name)).count != destination.settings.count {
            throw CatalogError(path: path + ".settings", message: "\(destination.name): duplicate setting names")
        }
    }
}

/// The catalog contradicts itself; `path` points into the catalog file.
public struct CatalogError: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String

    public var description: String { "\(path): \(message)" }
}
