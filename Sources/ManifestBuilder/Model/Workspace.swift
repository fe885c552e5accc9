import Foundation

/// The unit of ownership: sources and the destination instances connected to them.
public struct Workspace: Codable, Hashable, Sendable {
    public var id: String
    public var name: String
    /// Where browsers send events (the `apiHost` of the manifest's `Segment.io` entry).
    public var ingestionHost: String
    public var sources: [Source]

    public static let defaultIngestionHost = "api.segment.io/v1"

    public init(id: String, name: String, ingestionHost: String = Workspace.defaultIngestionHost, sources: [Source]) {
        self.id = id
        self.name = name
        self.ingestionHost = ingestionHost
        self.sources = sources
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.id = try container.decode(String.self, forKey: .id)
        self.name = try container.decodeIfPresent(String.self, forKey: .name) ?? id
        self.ingestionHost =
            try container.decodeIfPresent(String.self, forKey: .ingestionHost) ?? Self.defaultIngestionHost
        self.sources = try container.decode([Source].self, forKey: .sources)
    }

    public func source(id: String) -> Source? {
        sources.first { $0.id == id }
    }
}

/// Where events come from. The browser library asks for its manifest by `writeKey`.
public struct Source: Codable, Hashable, Sendable {
    public var id: String
    public var name: String
    public var kind: SourceKind
    public var writeKey: String
    public var instances: [DestinationInstance]

    public init(id: String, name: String, kind: SourceKind, writeKey: String, instances: [DestinationInstance] = []) {
        self.id = id
        self.name = name
        self.kind = kind
        self.writeKey = writeKey
        self.instances = instances
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.id = try container.decode(String.self, forKey: .id)
        self.name = try container.decodeIfPresent(String.self, forKey: .name) ?? id
        self.kind = try container.decode(SourceKind.self, forKey: .kind)
        self.writeKey = try container.decode(String.self, forKey: .writeKey)
        self.instances = try container.decodeIfPresent([DestinationInstance].self, forKey: .instances) ?? []
    }
}

/// One configured connection of a source to a catalog destination (R13: it belongs to exactly
/// one source).
public struct DestinationInstance: Codable, Hashable, Sendable {
    public var id: String
    /// Unique within its source (R1). An instance given no name is named after its destination.
    public var name: String
    /// The catalog destination's name.
    public var destination: String
    public var mode: ConnectionMode
    /// Disabled instances exist but are in no manifest and receive nothing (R14).
    /// Defaults to `true` when a file leaves it out.
    public var enabled: Bool
    public var settings: [String: JSONValue]
    public var filters: [DestinationFilter]

    public init(
        id: String, name: String? = nil, destination: String, mode: ConnectionMode, enabled: Bool = true,
        settings: [String: JSONValue] = [:], filters: [DestinationFilter] = []
    ) {
        self.id = id
        self.name = Self.name(name, destination: destination)
        self.destination = destination
        self.mode = mode
        self.enabled = enabled
        self.settings = settings
        self.filters = filters
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.id = try container.decode(String.self, forKey: .id)
        self.destination = try container.decode(String.self, forKey: .destination)
        self.name = Self.name(try container.decodeIfPresent(String.self, forKey: .name), destination: destination)
        self.mode = try container.decode(ConnectionMode.self, forKey: .mode)
        self.enabled = try container.decodeIfPresent(Bool.self, forKey: .enabled) ?? true
        self.settings = try container.decodeIfPresent([String: JSONValue].self, forKey: .settings) ?? [:]
        self.filters = try container.decodeIfPresent([DestinationFilter].self, forKey: .filters) ?? []
    }

    static func name(_ name: String?, destination: String) -> String {
        guard let name else { return destination }
        // Most names start with a visible ASCII character: no need for Foundation's trimming,
        // which was 6% of reading a large workspace (issue 16).
        if let first = name.utf8.first, first > 0x20, first < 0x7F { return name }
        return name.trimmingCharacters(in: .whitespaces).isEmpty ? destination : name
    }
}

/// A destination filter: per instance, unlike Protocols transformations which are per source.
public struct DestinationFilter: Codable, Hashable, Sendable {
    public var name: String
    /// The condition, in the filter query language the browser's routing middleware evaluates.
    public var condition: String
    public var action: Action

    public enum Action: Codable, Hashable, Sendable {
        /// Drop matching events.
        case drop
        /// Keep this percentage (0...100) of matching events: at random, or with `path` (such as
        /// `userId`) by the value there, so that the same user is always in or always out.
        case sample(percent: Double, path: String? = nil)
        /// Remove these properties from matching events.
        case dropProperties([String])
        /// Keep only these properties on matching events.
        case allowProperties([String])
    }

    private enum CodingKeys: String, CodingKey {
        case name
        case condition = "if"
        case action
    }

    public init(name: String, condition: String, action: Action) {
        self.name = name
        self.condition = condition
        self.action = action
    }
}

extension DestinationFilter.Action {
    private enum CodingKeys: String, CodingKey { case type, percent, path, fields }
    private enum Kind: String, Codable {
        case drop, sample
        case dropProperties = "drop_properties"
        case allowProperties = "allow_properties"
    }

    /// `{"type": "drop"}`, `{"type": "sample", "percent": 10}`,
    /// `{"type": "drop_properties", "fields": [...]}`, `{"type": "allow_properties", "fields": [...]}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(Kind.self, forKey: .type) {
        case .drop: self = .drop
        case .sample:
            let percent = try container.decode(Double.self, forKey: .percent)
            guard (0...100).contains(percent) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .percent, in: container, debugDescription: "percent must be between 0 and 100")
            }
            self = .sample(percent: percent, path: try container.decodeIfPresent(String.self, forKey: .path))
        case .dropProperties: self = .dropProperties(try container.decode([String].self, forKey: .fields))
        case .allowProperties: self = .allowProperties(try container.decode([String].self, forKey: .fields))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .drop:
            try container.encode(Kind.drop, forKey: .type)
        case .sample(let percent, let path):
            try container.encode(Kind.sample, forKey: .type)
            try container.encode(percent, forKey: .percent)
            try container.encodeIfPresent(path, forKey: .path)
        case .dropProperties(let fields):
            try container.encode(Kind.dropProperties, forKey: .type)
            try container.encode(fields, forKey: .fields)
        case .allowProperties(let fields):
            try container.encode(Kind.allowProperties, forKey: .type)
            try container.encode(fields, forKey: .fields)
        }
    }
}
