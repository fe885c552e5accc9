import Mustache

// Template lookups without reflection for the values the pages repeat (table rows, options,
// form fields, the layout that rows reach through): Mustache would otherwise build a `Mirror`
// for every name it looks up, which made a page of 1,000 rows cost tens of milliseconds.
// A name a value does not have answers nil, so the lookup goes on up the context stack.

extension Layout: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "workspace": workspace
        case "actor": actor
        case "csrf": csrf
        case "canWrite": canWrite
        case "sourcesCurrent": sourcesCurrent
        case "catalogCurrent": catalogCurrent
        case "base": base
        case "notice": notice
        default: nil
        }
    }
}

extension SourcesView.Row: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "kind": kind
        case "writeKey": writeKey
        case "destinations": destinations
        case "link": link
        default: nil
        }
    }
}

extension SourceView.Row: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "destination": destination
        case "mode": mode
        case "enabled": enabled
        case "link": link
        default: nil
        }
    }
}

extension SourceView.Change: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "at": at
        case "actor": actor
        case "action": action
        case "resource": resource
        case "changes": changes
        default: nil
        }
    }
}

extension CatalogView.Result: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": id
        case "name": self.name
        case "mode": mode
        case "family": family
        case "multiInstance": multiInstance
        case "alsoOtherKind": alsoOtherKind
        case "isSelected": isSelected
        case "link": link
        default: nil
        }
    }
}

extension InstanceView.CopySource: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "value": value
        case "label": label
        default: nil
        }
    }
}

extension SettingsForm.Field: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "key": key
        case "label": label
        case "inputType": inputType
        case "value": value
        case "isCheckbox": isCheckbox
        case "isTextarea": isTextarea
        case "checked": checked
        case "required": required
        case "secret": secret
        case "stored": stored
        case "step": step
        case "help": help
        case "error": error
        default: nil
        }
    }
}
