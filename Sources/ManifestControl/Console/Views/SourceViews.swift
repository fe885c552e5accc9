import Foundation
import ManifestBuilder

/// The workspace's home: its sources.
struct SourcesView {
    var layout: Layout
    var workspaceName: String
    var sources: [Row]

    struct Row {
        var name: String
        var kind: String
        var writeKey: String
        var destinations: Int
        var link: String
    }
}

/// A source's page.
struct SourceView {
    var layout: Layout
    var id: String
    var name: String
    var kind: String
    var writeKey: String
    var destinations: [Row]
    var addLink: String
    var manifestLink: String
    var statusLink: String
    var status: ManifestStatus?
    var audit: [Change]

    struct Row {
        var name: String
        var destination: String
        var mode: String
        var enabled: Bool
        var link: String
    }

    struct Change {
        var at: String
        var actor: String
        var action: String
        var resource: String
        var changes: String
    }
}

/// What is published for a source now: the version, when, and the device-mode destinations a
/// page load starts with it.
struct ManifestStatus {
    var version: Int
    var publishedAt: String
    var pageLoad: [String]
    /// The known edges and whether each serves this version; nil when the console has no
    /// source of edge progress.
    var edges: [Edge]?
    var knowsEdges: Bool
    var edgeCount: Int
    var edgesServing: Int

    struct Edge {
        var name: String
        var serving: Bool
    }

    /// The latest manifest of the source; nil when nothing is published (or no publisher).
    /// Edges are asked when there is a source for them; a failure to ask leaves them out.
    static func read(_ source: Source, publisher: LivePublisher?, edges: (any EdgeProgressSource)?) async throws
        -> ManifestStatus?
    {
        guard let publisher, let latest = try await publisher.publisher.store.latest(writeKey: source.writeKey)
        else { return nil }
        var known: [Edge]?
        if let edges, let progress = try? await edges.edges() {
            let sequence = try await publisher.publishedSequence(writeKey: source.writeKey)
            known = progress.map { Edge(name: $0.name, serving: $0.applied >= sequence) }
        }
        return ManifestStatus(
            version: latest.version, publishedAt: ConsoleController.time(latest.publishedAt),
            pageLoad: deviceDestinations(in: latest.body), edges: known, knowsEdges: known != nil,
            edgeCount: known?.count ?? 0, edgesServing: known?.filter(\.serving).count ?? 0)
    }

    /// "Instance (Destination)" for each SDK bundle the document has the browser load.
    static func deviceDestinations(in body: [UInt8]) -> [String] {
        guard case .object(let document)? = try? JSONValue.parse(body),
            case .object(let delivery)? = document[ManifestCompiler.extensionKey],
            case .array(let bundles)? = delivery["bundles"]
        else { return [] }
        return bundles.compactMap { bundle in
            guard case .object(let members) = bundle, case .string(let instance)? = members["instance"],
                case .string(let destination)? = members["destination"]
            else { return nil }
            return instance == destination ? instance : "\(instance) (\(destination))"
        }
    }

    var json: JSONValue {
        var members: [String: JSONValue] = [
            "version": .int(version), "publishedAt": .string(publishedAt),
            "pageLoad": .array(pageLoad.map(JSONValue.string)),
        ]
        if let edges {
            members["edges"] = .array(edges.map { ["name": .string($0.name), "serving": .bool($0.serving)] })
        }
        return .object(members)
    }
}

/// The read-only manifest view.
struct ManifestView {
    var layout: Layout
    var source: String
    var sourceLink: String
    var version: Int?
    var publishedAt: String?
    var document: String?

    /// The document indented, keys sorted: as the library reads it, easier on the eye.
    static func pretty(_ body: [UInt8]) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)),
            let data = try? JSONSerialization.data(
                withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
