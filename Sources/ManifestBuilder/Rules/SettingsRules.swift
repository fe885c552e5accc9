extension ConnectionRules {
    /// R11: required settings are present and typed as the schema says; unknown ones are rejected.
    func checkSettings(_ entry: LocatedInstance, of source: Source, into report: inout ValidationReport) {
        let instance = entry.instance
        let destination = entry.destination

        func flag(_ path: String, _ message: String) {
            report.append(
                Violation(
                    rule: .r11, source: source.name, destination: destination.name, instance: instance.name,
                    path: path, message: message))
        }

        for field in destination.settings where field.required && !Self.isPresent(instance.settings[field.name]) {
            // The path of the missing value itself, so that a form can show the sentence by its input.
            flag(
                entry.path + ".settings" + JSONPath.member(field.name),
                "instance '\(instance.name)' of \(destination.name) is missing the "
                    + "required setting '\(field.name)' (\(field.type.rawValue))")
        }
        var problems: [(key: String, value: JSONValue)] = []
        for (name, value) in instance.settings {
            guard let field = destination.field(named: name) else {
                problems.append((name, value))
                continue
            }
            if value != .null && !Self.value(value, matches: field.type) { problems.append((name, value)) }
        }
        for (name, value) in problems.sorted(by: { $0.key < $1.key }) {
            let path = entry.path + ".settings" + JSONPath.member(name)
            guard let field = destination.field(named: name) else {
                let known = destination.settings.map(\.name).sorted().joined(separator: ", ")
                flag(path, "unknown setting '\(name)' for \(destination.name); known settings: \(known)")
                continue
            }
            if value != .null && !Self.value(value, matches: field.type) {
                flag(
                    path,
                    "setting '\(name)' of instance '\(instance.name)' must be \(Self.article(field.type.rawValue)) "
                        + "\(field.type.rawValue), not \(Self.article(value.typeName)) \(value.typeName)")
            }
        }
    }

    private static func isPresent(_ value: JSONValue?) -> Bool {
        switch value {
        case nil, .null, .string(""): false
        default: true
        }
    }

    private static func value(_ value: JSONValue, matches type: SettingType) -> Bool {
        switch (type, value) {
        case (.string, .string), (.boolean, .bool), (.integer, .int), (.array, .array), (.object, .object): true
        case (.number, .int), (.number, .double): true
        default: false
        }
    }

    private static func article(_ word: String) -> String {
        word.first.map { "aeiou".contains($0) } == true ? "an" : "a"
    }
}

/// Builds the JSON paths that errors point at.
enum JSONPath {
    /// `.name` for identifier-like keys, `["odd key"]` otherwise.
    static func member(_ key: String) -> String {
        let identifier =
            !key.isEmpty && key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
            && !(key.first!.isNumber)
        return identifier ? "." + key : "[\"\(key)\"]"
    }
}
