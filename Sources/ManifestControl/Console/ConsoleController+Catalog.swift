import Foundation
import Hummingbird
import ManifestBuilder

/// The catalog: its two tabs and search, the Configure step's source selection, and the same
/// search reached from a source's "Add Destination".
extension ConsoleController {
    func catalogPage(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let user = try await user(request, context)
        let query = FormBody(request.uri.query ?? "")
        let tab = query["tab"] == "sources" ? "sources" : "destinations"
        let base = Layout.base(user.workspace) + "/catalog"
        var view = catalogView(
            query, layout: layout("Catalog", user, .catalog), tab: tab, action: base,
            configure: { "\(base)/destinations/\($0.id.urlPathEscaped)" })
        if tab == "sources" { view = sourcesTab(view, query: query, base: base) }
        return pages.render("catalog", view)
    }

    /// "Add Destination" on a source's page: the destinations tab, Configure goes to settings.
    func addDestinationPage(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let user = try await user(request, context)
        let source = try await source(request, context, user)
        let base = Layout.source(user.workspace, source.id)
        var view = catalogView(
            FormBody(request.uri.query ?? ""), layout: layout("Add a destination to \(source.name)", user, .sources),
            tab: "destinations", action: base + "/add",
            configure: { "\(base)/connect/\($0.id.urlPathEscaped)" })
        view.source = CatalogView.SourceSummary(name: source.name)
        return pages.render("catalog", view)
    }

    /// Configure, step one: pick the source. Sources where the rules refuse the connection are
    /// listed disabled, with the rule's sentence.
    func selectSourcePage(_ request: Request, _ context: BasicRequestContext, error: String? = nil) async throws
        -> Response
    {
        let user = try await user(request, context)
        let entry = try destination(context)
        let workspace = try await services.workspace(user.workspace).workspace
        let check = ConnectionCheck(rules: services.rules)
        let choices = workspace.sources.map { source in
            switch check.verdict(entry, on: source) {
            case .allowed(let mode):
                SelectSourceView.Choice(
                    id: source.id, name: source.name, kind: source.kind.rawValue, disabled: false,
                    reason: "Connects in \(mode.rawValue) mode.")
            case .refused(let reason):
                SelectSourceView.Choice(
                    id: source.id, name: source.name, kind: source.kind.rawValue, disabled: true, reason: reason)
            }
        }
        let view = SelectSourceView(
            layout: layout("Configure \(entry.name)", user, .catalog), destination: entry.name,
            summary: entry.summary ?? "",
            action: Layout.base(user.workspace)
                + "/catalog/destinations/\(entry.id.urlPathEscaped)/confirm",
            choices: choices, error: error)
        return pages.render("select-source", view, status: error == nil ? .ok : .unprocessableContent)
    }

    /// "Confirm Source": on to the connection settings of the chosen source.
    func confirmSource(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let user = try await user(request, context)
        let entry = try destination(context)
        guard let sourceID = FormBody(request.uri.query ?? "")["source"], !sourceID.isEmpty else {
            return try await selectSourcePage(request, context, error: "Select a source to connect \(entry.name) to.")
        }
        return ConsolePages.seeOther(
            Layout.source(user.workspace, sourceID) + "/connect/\(entry.id.urlPathEscaped)")
    }

    private func catalogView(
        _ query: FormBody, layout: Layout, tab: String, action: String,
        configure: (CatalogDestination) -> String
    ) -> CatalogView {
        let text = query["q"] ?? ""
        let selectedID = query["selected"]
        let sourceNames = Set(services.catalog.sources.map { $0.name.lowercased() })
        let link = { (id: String) in
            "\(action)?tab=\(tab)&q=\(text.urlQueryEscaped)&selected=\(id.urlQueryEscaped)#panel"
        }
        let entries = services.catalog.destinations.filter { CatalogView.matches(text, $0.name, $0.id, $0.summary) }
            .sorted { $0.name.lowercased() < $1.name.lowercased() }
        let results = entries.map { entry in
            CatalogView.Result(
                id: entry.id, name: entry.name, mode: CatalogView.mode(entry), family: CatalogView.family(entry),
                multiInstance: CatalogView.multiInstance(entry, facts: services.facts),
                alsoOtherKind: sourceNames.contains(entry.name.lowercased()), isSelected: entry.id == selectedID,
                link: link(entry.id))
        }
        let panel = entries.first { $0.id == selectedID }.map { entry in
            CatalogView.Panel(
                id: entry.id, name: entry.name, summary: entry.summary ?? "", isDestination: true,
                mode: CatalogView.mode(entry), family: CatalogView.family(entry),
                multiInstance: CatalogView.multiInstance(entry, facts: services.facts),
                settings: entry.settings.map { $0.name + ($0.required ? " (required)" : "") },
                configure: configure(entry))
        }
        return CatalogView(
            layout: layout, tab: tab, sourcesTab: tab == "sources", query: text, results: results, selected: panel,
            action: action)
    }

    /// The Sources tab: catalog sources, each saying it is a source and pointing at the
    /// destination of the same name when there is one.
    private func sourcesTab(_ view: CatalogView, query: FormBody, base: String) -> CatalogView {
        var view = view
        let text = query["q"] ?? ""
        let selectedID = query["selected"]
        let entries = services.catalog.sources.filter { CatalogView.matches(text, $0.name, $0.id, $0.summary) }
            .sorted { $0.name.lowercased() < $1.name.lowercased() }
        view.results = entries.map { entry in
            CatalogView.Result(
                id: entry.id, name: entry.name, mode: "Cloud source", family: "Source", multiInstance: "-",
                alsoOtherKind: services.catalog.destination(named: entry.name) != nil,
                isSelected: entry.id == selectedID,
                link: "\(base)?tab=sources&q=\(text.urlQueryEscaped)&selected=\(entry.id.urlQueryEscaped)#panel")
        }
        view.selected = entries.first { $0.id == selectedID }.map { entry in
            CatalogView.Panel(
                id: entry.id, name: entry.name, summary: entry.summary ?? "", isDestination: false, mode: "",
                family: "", multiInstance: "", settings: [], configure: nil,
                destinationLink: services.catalog.destination(named: entry.name).map {
                    "\(base)?tab=destinations&q=\($0.name.urlQueryEscaped)&selected=\($0.id.urlQueryEscaped)#panel"
                })
        }
        return view
    }

    /// The catalog destination the route names, by id.
    func destination(_ context: BasicRequestContext) throws -> CatalogDestination {
        let id = context.parameters.get("destination") ?? ""
        guard let entry = services.catalog.destinations.first(where: { $0.id == id }) else {
            throw ControlError.notFound("The catalog has no destination '\(id)'.")
        }
        return entry
    }

    func layout(_ title: String, _ user: ConsoleUser, _ section: Layout.Section) -> Layout {
        Layout(title, user, section: section, notice: sessions.takeNotice(id: user.session.id))
    }
}

/// Configure, step one: the workspace's sources, the ones the rules refuse disabled.
struct SelectSourceView {
    var layout: Layout
    var destination: String
    var summary: String
    var action: String
    /// The list items, rendered here rather than by the template: a workspace has one per
    /// source, and Mustache's per-item sections made this the only page over 50 ms with 1,000
    /// sources (`bench/console.sh`). Every value is escaped with the templates' own escaper.
    var choicesHTML: String
    var error: String?

    init(layout: Layout, destination: String, summary: String, action: String, choices: [Choice], error: String?) {
        self.layout = layout
        self.destination = destination
        self.summary = summary
        self.action = action
        self.error = error
        self.choicesHTML = choices.map(\.html).joined()
    }

    struct Choice {
        var id: String
        var name: String
        var kind: String
        var disabled: Bool
        var reason: String

        /// `<li>` with the radio button, its label and the rule's sentence (or the mode).
        var html: String {
            let html = ConsoleHTML()
            let (id, disabled) = (html.escapeText(self.id), self.disabled)
            return "<li\(disabled ? " class=\"disabled\"" : "")>\n"
                + "<input type=\"radio\" name=\"source\" id=\"source-\(id)\" value=\"\(id)\""
                + (disabled ? " disabled aria-describedby=\"reason-\(id)\"" : "") + ">\n"
                + "<label for=\"source-\(id)\">\(html.escapeText(name)) "
                + "<span class=\"kind\">\(html.escapeText(kind))</span></label>\n"
                + "<span class=\"reason\" id=\"reason-\(id)\">\(html.escapeText(reason))</span>\n</li>\n"
        }
    }
}

extension String {
    /// The string as a query parameter value.
    var urlQueryEscaped: String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return addingPercentEncoding(withAllowedCharacters: allowed) ?? self
    }
}
