import ManifestBuilder

/// The "Connection Settings" form, generated from a destination's settings schema: one input per
/// field, typed (text, number, checkbox, JSON for arrays and objects), secrets as password
/// inputs that are never filled in.
///
/// Reading the form back does no type checking of its own: a value that is not what the schema
/// wants reaches the rules as the text that was typed, so the refusal is R11's sentence, the
/// same one the Config API and `manifest validate` give.
struct SettingsForm {
    /// One input of the form.
    struct Field {
        var name: String
        /// The form field name: `setting.<name>`.
        var key: String
        var label: String
        var inputType: String
        var value: String
        var isCheckbox: Bool
        var isTextarea: Bool
        var checked: Bool
        var required: Bool
        var secret: Bool
        /// For secrets: whether a value is stored (the page says so instead of showing it).
        var stored: Bool
        var step: String?
        var help: String
        var error: String?
    }

    static let prefix = "setting."

    /// The form field names of `entry`'s settings: where refusals about them are shown.
    static func keys(_ entry: CatalogDestination) -> [String] {
        entry.settings.map { prefix + $0.name }
    }

    /// The inputs for `entry`, showing `values` (secrets are never shown) and `errors` by key.
    static func fields(
        _ entry: CatalogDestination, values: [String: JSONValue], stored: [String: JSONValue] = [:],
        errors: FieldErrors
    ) -> [Field] {
        entry.settings.map { setting in
            let key = prefix + setting.name
            let value = values[setting.name]
            var field = Field(
                name: setting.name, key: key, label: setting.name, inputType: "text", value: "",
                isCheckbox: false, isTextarea: false, checked: false, required: setting.required,
                secret: setting.secret, stored: stored[setting.name] != nil, step: nil,
                help: help(setting), error: errors[key])
            switch setting.type {
            case _ where setting.secret:
                field.inputType = "password"
            case .boolean:
                field.isCheckbox = true
                field.checked = value == .bool(true)
            case .number, .integer:
                field.inputType = "number"
                field.step = setting.type == .integer ? "1" : "any"
                field.value = value.map(text) ?? ""
            case .array, .object:
                field.isTextarea = true
                field.value = value.map(text) ?? ""
            case .string:
                field.value = value.map(text) ?? ""
            }
            return field
        }
    }

    /// The settings a submitted form describes. An empty input leaves the setting out, except a
    /// secret, which keeps its `existing` value (password inputs are never filled in).
    static func settings(
        from form: FormBody, _ entry: CatalogDestination, existing: [String: JSONValue]
    ) -> [String: JSONValue] {
        var settings: [String: JSONValue] = [:]
        for setting in entry.settings {
            let raw = form[prefix + setting.name]
            if setting.type == .boolean && !setting.secret {
                settings[setting.name] = .bool(raw == "on" || raw == "true")
                continue
            }
            guard let raw, !raw.trimmingCharacters(in: .whitespaces).isEmpty else {
                if setting.secret, let kept = existing[setting.name] { settings[setting.name] = kept }
                continue
            }
            settings[setting.name] = value(raw, as: setting.type)
        }
        return settings
    }

    /// The typed value of an input, or the text itself when it does not parse as the type.
    private static func value(_ raw: String, as type: SettingType) -> JSONValue {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        switch type {
        case .string, .boolean: return .string(raw)
        case .integer: return Int(trimmed).map { .int($0) } ?? .string(raw)
        case .number:
            if let int = Int(trimmed) { return .int(int) }
            return Double(trimmed).flatMap { $0.isFinite ? .double($0) : nil } ?? .string(raw)
        case .array, .object:
            guard let parsed = try? JSONValue.parse(Array(trimmed.utf8)) else { return .string(raw) }
            return parsed
        }
    }

    private static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let string): string
        case .int(let int): String(int)
        default: String(decoding: CanonicalJSON.encode(value), as: UTF8.self)
        }
    }

    private static func help(_ setting: SettingField) -> String {
        let type =
            switch setting.type {
            case .string: "Text"
            case .number: "A number"
            case .integer: "A whole number"
            case .boolean: "On or off"
            case .array: "A JSON array, e.g. [\"a\", \"b\"]"
            case .object: "A JSON object, e.g. {\"key\": \"value\"}"
            }
        let secret = setting.secret ? " Secret: stored encrypted, never shown again, never sent to browsers." : ""
        return type + (setting.required ? ", required." : ", optional.") + secret
    }
}
