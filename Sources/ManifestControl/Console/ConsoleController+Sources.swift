import Foundation
import Hummingbird
import ManifestBuilder

/// The workspace's sources, a source's page (its destinations, what is published, what a page
/// load gets, its history), the read-only manifest view and the live status behind it.
extension ConsoleController {
    func sourcesPage(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let user = try await user(request, context)
        let workspace = try await services.workspace(user.workspace).workspace
        let base = Layout.base(user.workspace)
        let rows = workspace.sources.map { source in
            SourcesView.Row(
                name: source.name, kind: source.kind.rawValue, writeKey: source.writeKey,
                destinations: source.instances.count, link: "\(base)/sources/\(source.id.urlPathEscaped)")
        }
        let view = SourcesView(
            layout: layout("Sources", user, .sources), workspaceName: workspace.name, sources: rows)
        return pages.render("sources", view)
    }

    func sourcePage(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let user = try await user(request, context)
        let source = try await source(request, context, user)
        let base = Layout.source(user.workspace, source.id)
        let rows = source.instances.sorted { $0.name.lowercased() < $1.name.lowercased() }.map { instance in
            SourceView.Row(
                name: instance.name, destination: instance.destination, mode: instance.mode.rawValue,
                enabled: instance.enabled, link: "\(base)/destinations/\(instance.id.urlPathEscaped)")
        }
        let status = try await ManifestStatus.read(source, publisher: services.publisher, edges: edges)
        let audit = try await history(of: source, workspace: user.workspace)
        let view = SourceView(
            layout: layout(source.name, user, .sources), id: source.id, name: source.name,
            kind: source.kind.rawValue, writeKey: source.writeKey, destinations: rows, addLink: base + "/add",
            manifestLink: base + "/manifest", statusLink: base + "/status", status: status, audit: audit)
        return pages.render("source", view)
    }

    /// The latest published document of the source, as the browser library reads it.
    func manifestPage(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let user = try await user(request, context)
        let source = try await source(request, context, user)
        let latest = try await services.publisher?.publisher.store.latest(writeKey: source.writeKey)
        let text = latest.flatMap { ManifestView.pretty($0.body) }
        let view = ManifestView(
            layout: layout("Manifest of \(source.name)", user, .sources), source: source.name,
            sourceLink: Layout.source(user.workspace, source.id),
            version: latest?.version, publishedAt: latest.map { Self.time($0.publishedAt) }, document: text)
        return pages.render("manifest", view)
    }

    /// What the source page's script polls: the version published now, when, and which edges
    /// serve it.
    func status(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let user = try await user(request, context)
        let source = try await source(request, context, user)
        let status = try await ManifestStatus.read(source, publisher: services.publisher, edges: edges)
        return JSONResponse.ok(status?.json ?? ["version": .null])
    }

    /// The source the route names, in the session's workspace.
    func source(_ request: Request, _ context: BasicRequestContext, _ user: ConsoleUser) async throws -> Source {
        let id = context.parameters.get("source") ?? ""
        guard let source = try await services.workspace(user.workspace).workspace.source(id: id) else {
            throw DestinationPath.noSource(user.workspace, id)
        }
        return source
    }

    /// The last changes to the source and its destinations, newest first.
    private func history(of source: Source, workspace: String) async throws -> [SourceView.Change] {
        let prefix = ResourceName.source(workspace, source.id)
        return try await services.store.auditRecords(workspace: workspace, resource: prefix, limit: 20).map {
            record in
            SourceView.Change(
                at: Self.time(record.at), actor: record.actor, action: record.action,
                resource: String(record.resource.dropFirst(prefix.count).drop { $0 == "/" }),
                changes: record.changes.joined(separator: ", "))
        }
    }

    /// `2026-11-29 13:20:13 UTC`: one time zone for every operator, said outright.
    static func time(_ date: Date) -> String {
        date.formatted(
            .iso8601.year().month().day().dateTimeSeparator(.space).time(includingFractionalSeconds: false)) + " UTC"
    }
}
