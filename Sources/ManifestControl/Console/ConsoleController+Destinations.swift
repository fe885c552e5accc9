import Foundation
import HTTPTypes
import Hummingbird
import ManifestBuilder

/// Connecting a destination (name, mode, connection settings) and an instance's settings page
/// with its forms: the toggle, name and mode, settings, copy settings, delete. Every change
/// goes through `DestinationEditor`; a refusal re-renders the form with each rule's sentence
/// next to its field and changes nothing.
extension ConsoleController {
    func connectPage(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let user = try await user(request, context)
        let (source, entry) = (try await source(request, context, user), try destination(context))
        let mode: ConnectionMode =
            switch ConnectionCheck(rules: services.rules).verdict(entry, on: source) {
            case .allowed(let mode): mode
            case .refused: ConnectionCheck.preferredModes(entry, on: source.kind).first ?? .cloud
            }
        let view = connectView(
            user, source, entry, name: ConnectionCheck.defaultName(entry, on: source), mode: mode, values: [:],
            errors: FieldErrors())
        return pages.render("connect", view)
    }

    /// Creates the instance, disabled until its toggle is switched on (as the seed's flow ends).
    func connect(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let user = try await user(request, context)
        let form = try await form(request, for: user)
        let (source, entry) = (try await source(request, context, user), try destination(context))
        let mode =
            form["mode"].flatMap(ConnectionMode.init(rawValue:))
            ?? ConnectionCheck.preferredModes(entry, on: source.kind).first ?? .cloud
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        let instance = DestinationInstance(
            id: IdentifierGenerator.make(prefix: "dst"), name: name, destination: entry.name, mode: mode,
            enabled: false, settings: SettingsForm.settings(from: form, entry, existing: [:]))
        let path = DestinationPath(workspace: user.workspace, source: source.id, instance: instance.id)
        do {
            _ = try await editor.create(instance, at: path, actor: user.actor)
        } catch let error as ControlError where error.status.code < 500 {
            let view = connectView(
                user, source, entry, name: name, mode: mode,
                values: instance.settings.filter { entry.field(named: $0.key)?.secret != true },
                errors: Self.errors(error))
            return pages.render("connect", view, status: .unprocessableContent)
        }
        let outcome = await services.publish(workspace: user.workspace, source: source.id)
        sessions.setNotice(
            "\(instance.name) was added to \(source.name), switched off. \(Self.describe(outcome)) "
                + "Switch it on with the toggle to load it.",
            id: user.session.id)
        return ConsolePages.seeOther(instanceLink(path))
    }

    func instancePage(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let user = try await user(request, context)
        let path = instancePath(user, context)
        let workspace = try await services.workspace(user.workspace).workspace
        let instance = try path.locate(in: workspace).instance
        return pages.render("destination", try instanceView(user, path, instance, in: workspace, errors: FieldErrors()))
    }

    /// The forms of the instance page, by the last path segment.
    func instanceAction(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let user = try await user(request, context)
        let form = try await form(request, for: user)
        let path = instancePath(user, context)
        let action = context.parameters.get("action") ?? ""
        let result: DestinationInstance?
        do {
            result = try await perform(action, form: form, on: path, user: user)
        } catch let error as ControlError where error.status.code < 500 && error.status != .notFound {
            let workspace = try await services.workspace(user.workspace).workspace
            let instance = try path.locate(in: workspace).instance
            let view = try instanceView(user, path, instance, in: workspace, errors: Self.errors(error))
            return pages.render("destination", view, status: error.status)
        }
        let outcome = await services.publish(workspace: user.workspace, source: path.source)
        guard let result else {
            sessions.setNotice("The destination was deleted. \(Self.describe(outcome))", id: user.session.id)
            return ConsolePages.seeOther(Layout.source(user.workspace, path.source))
        }
        let what = action == "toggle" ? (result.enabled ? "Switched on." : "Switched off.") : "Saved."
        sessions.setNotice("\(what) \(Self.describe(outcome))", id: user.session.id)
        return ConsolePages.seeOther(instanceLink(path))
    }

    private func perform(_ action: String, form: FormBody, on path: DestinationPath, user: ConsoleUser) async throws
        -> DestinationInstance?
    {
        guard action == "copy-settings" else {
            let (audit, transform) = try Self.change(for: action, form: form, catalog: services.catalog)
            return try await editor.change(path, ifMatch: nil, actor: user.actor, action: audit) { instance, _ in
                try transform(instance)
            }
        }
        guard let name = form["from"], let from = ResourceName.parseDestination(name), from.workspace == path.workspace
        else { throw ControlError.badRequest("Choose the destination to copy settings from.", pointer: "/from") }
        return try await editor.copySettings(
            path, from: DestinationPath(workspace: from.workspace, source: from.source, instance: from.instance),
            ifMatch: nil, actor: user.actor)
    }

    /// What each form of the instance page does to the instance (nil deletes it), applied to its
    /// state inside the store's transaction, and the audit action that names it.
    private static func change(for action: String, form: FormBody, catalog: Catalog) throws(ControlError) -> (
        String, @Sendable (DestinationInstance) throws -> DestinationInstance?
    ) {
        switch action {
        case "toggle":
            let enabled = form["enabled"] == "true"
            return ("destination.toggle", { instance in Self.with(instance) { $0.enabled = enabled } })
        case "general":
            let (name, mode) = (form["name"] ?? "", form["mode"].flatMap(ConnectionMode.init(rawValue:)))
            return (
                "destination.update",
                { instance in
                    Self.with(instance) {
                        $0.name = name.trimmingCharacters(in: .whitespaces).isEmpty ? instance.destination : name
                        $0.mode = mode ?? instance.mode
                    }
                }
            )
        case "settings":
            return (
                "destination.update",
                { instance in
                    guard let entry = catalog.destination(named: instance.destination) else { return instance }
                    return Self.with(instance) {
                        $0.settings = SettingsForm.settings(from: form, entry, existing: instance.settings)
                    }
                }
            )
        case "add-filter":
            let filter = try FilterForm.filter(from: form)
            return ("destination.update", { instance in Self.with(instance) { $0.filters.append(filter) } })
        case "remove-filter":
            let index = Int(form["index"] ?? "") ?? -1
            return (
                "destination.update",
                { instance in
                    guard instance.filters.indices.contains(index) else {
                        throw ControlError.notFound("No filter \(index) on this destination.")
                    }
                    return Self.with(instance) { $0.filters.remove(at: index) }
                }
            )
        case "delete":
            guard form["confirm"] == "yes" else {
                throw .badRequest("Tick the box to confirm that this destination goes.", pointer: "/confirm")
            }
            return ("destination.delete", { _ in nil })
        default:
            throw .notFound("No console action '\(action)'.")
        }
    }

    private static func with(_ instance: DestinationInstance, _ change: (inout DestinationInstance) -> Void)
        -> DestinationInstance
    {
        var changed = instance
        change(&changed)
        return changed
    }

    private func connectView(
        _ user: ConsoleUser, _ source: Source, _ entry: CatalogDestination, name: String, mode: ConnectionMode,
        values: [String: JSONValue], errors: FieldErrors
    ) -> ConnectView {
        let base = Layout.source(user.workspace, source.id)
        let placed = errors.placed(in: Set(["name", "mode"] + SettingsForm.keys(entry)))
        return ConnectView(
            layout: layout("Add \(entry.name) to \(source.name)", user, .sources), destination: entry.name,
            summary: entry.summary ?? "", source: source.name, action: "\(base)/connect/\(entry.id.urlPathEscaped)",
            cancel: base, name: name, modes: ModeChoice.choices(entry, current: mode),
            settings: SettingsForm.fields(entry, values: values, errors: placed), errors: placed.byKey,
            general: placed.general)
    }

    private func instanceView(
        _ user: ConsoleUser, _ path: DestinationPath, _ instance: DestinationInstance, in workspace: Workspace,
        errors: FieldErrors
    ) throws -> InstanceView {
        guard let entry = services.catalog.destination(named: instance.destination),
            let source = workspace.source(id: path.source)
        else { throw ControlError.notFound("No destination '\(path.instance)'.") }
        let copySources = workspace.sources.flatMap { other in
            other.instances.filter { $0.destination == instance.destination && $0.id != instance.id }.map {
                InstanceView.CopySource(
                    value: ResourceName.destination(workspace.id, other.id, $0.id),
                    label: "\($0.name) on \(other.name)")
            }
        }
        let placed = errors.placed(in: Set(["name", "mode", "from", "confirm", "filter"] + SettingsForm.keys(entry)))
        return InstanceView(
            layout: layout(instance.name, user, .sources), id: instance.id, name: instance.name,
            destination: instance.destination, source: source.name,
            sourceLink: Layout.source(user.workspace, source.id),
            mode: instance.mode.rawValue, enabled: instance.enabled, base: instanceLink(path),
            modes: ModeChoice.choices(entry, current: instance.mode),
            settings: SettingsForm.fields(entry, values: instance.settings, stored: instance.settings, errors: placed),
            copySources: copySources, filters: InstanceView.filters(instance), errors: placed.byKey,
            general: placed.general)
    }

    private func instancePath(_ user: ConsoleUser, _ context: BasicRequestContext) -> DestinationPath {
        DestinationPath(
            workspace: user.workspace, source: context.parameters.get("source") ?? "",
            instance: context.parameters.get("instance") ?? "")
    }

    private func instanceLink(_ path: DestinationPath) -> String {
        Layout.source(path.workspace, path.source) + "/destinations/"
            + path.instance.urlPathEscaped
    }

    /// A refusal as field errors: each violation by its pointer, anything else on the form.
    private static func errors(_ error: ControlError) -> FieldErrors {
        if !error.violations.isEmpty { return FieldErrors(error.violations) }
        var errors = FieldErrors()
        errors.add(error.detail, for: error.pointer.map { String($0.dropFirst()) } ?? "form")
        return errors
    }

    /// What the publish after a change did, in a sentence.
    static func describe(_ outcome: ManifestOutcome) -> String {
        switch outcome.status {
        case .published: "Manifest version \(outcome.version ?? 0) is published."
        case .unchanged: "The published manifest did not change."
        case .failed: outcome.detail ?? "Publishing failed; the change is published on the next change."
        case .noManifest: "This source has no manifest."
        }
    }
}
