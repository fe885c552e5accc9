import Crypto

/// A source's settings document before it is versioned and signed: the same workspace always
/// compiles to the same content, so `contentHash` tells whether a source changed.
public struct CompiledManifest: Hashable, Sendable {
    public let writeKey: String
    public let sourceID: String
    /// The settings document, with our own `delivery` object minus its version stamp.
    public let content: JSONValue
    /// Lower-case hex SHA-256 of the canonical JSON of `content`.
    public let contentHash: String
    /// Purge handles: the workspace, the source, its write key, each destination it lists.
    public let surrogateKeys: [String]
    /// The canonical bytes after the `delivery` object, which sorts first among the document's
    /// keys: stamping a version re-encodes only that small object (nil for other shapes).
    let tail: [UInt8]?

    public init(writeKey: String, sourceID: String, content: JSONValue, surrogateKeys: [String]) {
        self.writeKey = writeKey
        self.sourceID = sourceID
        self.content = content
        self.surrogateKeys = surrogateKeys
        self.tail = Self.tail(of: content)
        self.contentHash = SHA256.hash(data: Self.encode(content, tail: tail)).hexString
    }

    /// The canonical JSON of `document`, which is `content` with only its `delivery` object changed.
    func encode(stamped document: JSONValue) -> [UInt8] {
        Self.encode(document, tail: tail)
    }

    private static func encode(_ document: JSONValue, tail: [UInt8]?) -> [UInt8] {
        guard let tail, case .object(let root) = document, let delivery = root[ManifestCompiler.extensionKey] else {
            return CanonicalJSON.encode(document)
        }
        var bytes = Array("{\"\(ManifestCompiler.extensionKey)\":".utf8)
        bytes.reserveCapacity(tail.count + 1024)
        bytes += CanonicalJSON.encode(delivery)
        bytes += tail
        return bytes
    }

    private static func tail(of content: JSONValue) -> [UInt8]? {
        let key = ManifestCompiler.extensionKey
        guard case .object(let root) = content, root[key] != nil, root.keys.allSatisfy({ $0 >= key }) else {
            return nil
        }
        var tail = CanonicalJSON.encode(root, excluding: key)
        if tail.count > 2 { tail[0] = UInt8(ascii: ",") } else { tail.removeFirst() }
        return tail
    }
}

/// Compiles a source into the settings document the browser library reads from
/// `/v1/projects/{writeKey}/settings` (`settings-format.md`).
///
/// Only enabled instances appear (R14). Device-mode classic instances carry their non-secret
/// settings and `versionSettings.componentTypes: ["browser"]`; device-mode Actions instances are
/// also listed in `remotePlugins`; cloud-mode instances are listed as `unbundled` without
/// settings. Mobile and project manifests carry settings but no bundle URLs. Server sources have
/// no manifest. Secret settings appear nowhere.
public struct ManifestCompiler: Sendable {
    public let catalog: Catalog
    public let bundles: BundleSet
    /// Where bundles are served from, without a trailing slash (`https://cdn.example.com`).
    public let cdnBase: String

    /// Our own top-level key; the library ignores unknown keys.
    public static let extensionKey = "delivery"

    public init(catalog: Catalog, bundles: BundleSet, cdnBase: String) {
        self.catalog = catalog
        self.bundles = bundles
        self.cdnBase = cdnBase.hasSuffix("/") ? String(cdnBase.dropLast()) : cdnBase
    }

    /// The source's manifest, or `nil` for a server source.
    public func compile(_ source: Source, in workspace: Workspace) -> CompiledManifest? {
        guard source.kind != .server else { return nil }
        var document = DocumentBuilder(source: source, workspace: workspace)
        for instance in source.instances where instance.enabled {
            guard let destination = catalog.destination(named: instance.destination) else { continue }
            switch instance.mode {
            case .cloud: document.addCloud(instance, destination)
            case .device: addDevice(instance, destination, to: &document, kind: source.kind)
            }
        }
        return CompiledManifest(
            writeKey: source.writeKey, sourceID: source.id, content: document.build(),
            surrogateKeys: document.surrogateKeys)
    }

    private func addDevice(
        _ instance: DestinationInstance, _ destination: CatalogDestination, to document: inout DocumentBuilder,
        kind: SourceKind
    ) {
        guard let bundle = destination.bundle else { return }
        let publicSettings = publicSettings(of: instance, destination)
        var settings = publicSettings
        let inBrowser = kind == .web
        let loadsAsClassic = inBrowser && destination.family == .classic
        settings["versionSettings"] = [
            "version": .string(bundle.version),
            "componentTypes": loadsAsClassic ? ["browser"] : [],
        ]
        settings["bundlingStatus"] = "bundled"
        if loadsAsClassic { settings["type"] = "browser" }
        document.addDevice(instance, destination, settings: settings)

        guard inBrowser, let artifact = bundles[destination.id] else { return }
        let url = cdnBase + artifact.path
        document.addBundle(instance, destination, url: url, integrity: artifact.integrity)
        if destination.family == .actions {
            document.addRemotePlugin([
                "name": .string(destination.name),
                "creationName": .string(instance.name),
                "url": .string(url),
                "libraryName": .string(bundle.libraryName ?? ""),
                "settings": .object(publicSettings),
            ])
        }
    }

    /// The instance's settings less every field the catalog marks secret, and less anything
    /// the catalog does not know (validation rejects those; this is the last line of defence).
    private func publicSettings(
        of instance: DestinationInstance, _ destination: CatalogDestination
    ) -> [String: JSONValue] {
        instance.settings.filter { name, _ in destination.field(named: name).map { !$0.secret } ?? false }
    }
}
