import ManifestBuilder

/// Which device-mode destinations a settings document makes the browser library load, given
/// the page's integrations option, decided the way the library decides (`settings-format.md`).
struct DestinationPlan {
    struct Bundle {
        var instance: String
        var url: String
        var integrity: String
    }

    /// Instance names of the destinations to load.
    private(set) var destinations: [String] = []
    /// Their bundles, with the SRI hash the manifest's `delivery` object gives.
    private(set) var bundles: [Bundle] = []

    init(document: JSONValue, page: [String: JSONValue]) {
        guard case .object(let root) = document, case .object(let integrations)? = root["integrations"] else { return }
        let allOff = page["All"] == .bool(false)
        func wanted(_ names: String...) -> Bool {
            // An explicit false wins; with All: false, only names set truthy load.
            if names.contains(where: { page[$0] == .bool(false) }) { return false }
            guard allOff else { return true }
            return names.contains { name in page[name].map { $0 != .bool(false) && $0 != .null } ?? false }
        }
        for (name, entry) in integrations where !name.hasPrefix("Segment") {
            guard case .object(let settings) = entry, settings["bundlingStatus"] != .string("unbundled") else {
                continue
            }
            let browserType = settings["type"] == .string("browser")
            var browserComponent = false
            if case .object(let version)? = settings["versionSettings"],
                case .array(let types)? = version["componentTypes"]
            {
                browserComponent = types.contains(.string("browser"))
            }
            if (browserType || browserComponent) && wanted(name) { destinations.append(name) }
        }
        if case .array(let plugins)? = root["remotePlugins"] {
            for case .object(let plugin) in plugins {
                guard case .string(let creationName)? = plugin["creationName"],
                    case .string(let name)? = plugin["name"],
                    wanted(creationName, name)
                else { continue }
                destinations.append(creationName)
            }
        }
        if case .object(let delivery)? = root[ManifestCompiler.extensionKey],
            case .array(let listed)? = delivery["bundles"]
        {
            for case .object(let bundle) in listed {
                guard case .string(let instance)? = bundle["instance"], destinations.contains(instance),
                    case .string(let url)? = bundle["url"], case .string(let integrity)? = bundle["integrity"]
                else { continue }
                bundles.append(Bundle(instance: instance, url: url, integrity: integrity))
            }
        }
    }
}
