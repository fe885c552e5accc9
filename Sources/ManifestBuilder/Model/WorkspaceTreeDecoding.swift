/// Reads a workspace straight from the parsed tree, without `Decodable`'s generic containers.
///
/// For a 51 MB workspace, going through `init(from:)` (existential containers, coding paths,
/// generic metadata lookups for every field of 140,000 instances) cost as much as parsing the
/// file (issue 16). These initialisers apply the same defaults and checks as the `Decodable`
/// ones in `Workspace.swift` and fail with the same `DecodingError`s, whose coding path is
/// built only when something is wrong (a test decodes every fixture both ways).
extension Workspace {
    init(tree: JSONValue) throws(TreeError) {
        let object = try TreeObject(tree, Workspace.self)
        id = try object.string("id")
        name = try object.optionalString("name") ?? id
        ingestionHost = try object.optionalString("ingestionHost") ?? Self.defaultIngestionHost
        guard let sources = object["sources"] else { throw TreeError(.missing("sources")) }
        self.sources = try Source.decodeAll(sources).mapError { $0.inside("sources") }.get()
    }
}

extension Source {
    init(tree: JSONValue) throws(TreeError) {
        let object = try TreeObject(tree, Source.self)
        id = try object.string("id")
        name = try object.optionalString("name") ?? id
        kind = try object.rawValue("kind", SourceKind.self)
        writeKey = try object.string("writeKey")
        instances =
            try object.optionalArray("instances") { element throws(TreeError) in
                try DestinationInstance(tree: element)
            } ?? []
    }

    /// The sources of a workspace, decoded on every core: they are independent of each other.
    /// The first error in file order is the one returned, as a sequential decode would.
    static func decodeAll(_ value: JSONValue) -> Result<[Source], TreeError> {
        guard case .array(let elements) = value else {
            return .failure(TreeError(.mismatch([Source].self, found: value.typeName)))
        }
        let decoded = Parallel.compactMap(Array(elements.indices)) { (index: Int) -> Result<Source, TreeError>? in
            decode(elements[index], at: index)
        }
        var sources: [Source] = []
        sources.reserveCapacity(decoded.count)
        for result in decoded {
            switch result {
            case .success(let source): sources.append(source)
            case .failure(let error): return .failure(error)
            }
        }
        return .success(sources)
    }

    private static func decode(_ element: JSONValue, at index: Int) -> Result<Source, TreeError> {
        guard !element.isNull else { return .failure(TreeError(.null(Source.self)).inside(index)) }
        do throws(TreeError) {
            return .success(try Source(tree: element))
        } catch {
            return .failure(error.inside(index))
        }
    }
}

extension DestinationInstance {
    init(tree: JSONValue) throws(TreeError) {
        let object = try TreeObject(tree, DestinationInstance.self)
        id = try object.string("id")
        destination = try object.string("destination")
        name = Self.name(try object.optionalString("name"), destination: destination)
        mode = try object.rawValue("mode", ConnectionMode.self)
        enabled = try object.optionalBool("enabled") ?? true
        switch object["settings"] {
        case nil, .null?: settings = [:]
        case .object(let members)?:
            guard case .object(let normalised) = JSONValue.object(members).integralNumbersAsInts() else {
                preconditionFailure("an object stays an object")
            }
            settings = normalised
        case let other?:
            throw TreeError(.mismatch([String: JSONValue].self, found: other.typeName)).inside("settings")
        }
        filters =
            try object.optionalArray("filters") { element throws(TreeError) in
                try DestinationFilter(tree: element)
            } ?? []
    }
}

extension DestinationFilter {
    init(tree: JSONValue) throws(TreeError) {
        let object = try TreeObject(tree, DestinationFilter.self)
        name = try object.string("name")
        condition = try object.string("if")
        guard let action = object["action"] else { throw TreeError(.missing("action")) }
        do {
            self.action = try Action(tree: action)
        } catch {
            throw error.inside("action")
        }
    }
}

extension DestinationFilter.Action {
    init(tree: JSONValue) throws(TreeError) {
        let object = try TreeObject(tree, DestinationFilter.Action.self)
        switch try object.string("type") {
        case "drop": self = .drop
        case "sample":
            let percent = try object.double("percent")
            guard (0...100).contains(percent) else {
                throw TreeError(.corrupted("percent must be between 0 and 100")).inside("percent")
            }
            self = .sample(percent: percent, path: try object.optionalString("path"))
        case "drop_properties": self = .dropProperties(try object.strings("fields"))
        case "allow_properties": self = .allowProperties(try object.strings("fields"))
        case let other:
            throw TreeError(.corrupted("Cannot initialize Kind from invalid String value \(other)")).inside("type")
        }
    }
}

/// A value of the tree that is not what the model needs, with where (innermost key first,
/// added as the error leaves each container, so that decoding pays nothing for it).
struct TreeError: Error, @unchecked Sendable {  // `Any.Type`s are immutable
    enum Kind {
        case missing(String)
        case mismatch(Any.Type, found: String)
        case null(Any.Type)
        case corrupted(String)
    }

    var kind: Kind
    var reversedKeys: [TreeKey] = []

    init(_ kind: Kind) {
        self.kind = kind
    }

    func inside(_ key: String) -> TreeError {
        var outer = self
        outer.reversedKeys.append(TreeKey(stringValue: key))
        return outer
    }

    func inside(_ index: Int) -> TreeError {
        var outer = self
        outer.reversedKeys.append(TreeKey(intValue: index))
        return outer
    }

    /// The `DecodingError` that `init(from:)` would have thrown for the same value.
    var decodingError: DecodingError {
        let path: [any CodingKey] = reversedKeys.reversed()
        switch kind {
        case .missing(let key):
            return .keyNotFound(
                TreeKey(stringValue: key), .init(codingPath: path, debugDescription: "no value for the key '\(key)'"))
        case .mismatch(let type, let found):
            return .typeMismatch(type, .init(codingPath: path, debugDescription: "found \(found)"))
        case .null(let type):
            return .valueNotFound(type, .init(codingPath: path, debugDescription: "found null"))
        case .corrupted(let message):
            return .dataCorrupted(.init(codingPath: path, debugDescription: message))
        }
    }
}

struct TreeKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
    }

    init(intValue: Int) {
        self.stringValue = "Index \(intValue)"
        self.intValue = intValue
    }
}

/// An object of the tree, read field by field with `Decodable`'s rules: a missing key or
/// `null` is nil for optional fields, and an error for required ones.
private struct TreeObject {
    let members: [String: JSONValue]

    init(_ value: JSONValue, _ type: Any.Type) throws(TreeError) {
        switch value {
        case .object(let members): self.members = members
        case .null: throw TreeError(.null(type))
        default: throw TreeError(.mismatch([String: JSONValue].self, found: value.typeName))
        }
    }

    subscript(_ key: String) -> JSONValue? { members[key] }

    func string(_ key: String) throws(TreeError) -> String {
        guard let value = members[key] else { throw TreeError(.missing(key)) }
        switch value {
        case .string(let string): return string
        case .null: throw TreeError(.null(String.self)).inside(key)
        default: throw TreeError(.mismatch(String.self, found: value.typeName)).inside(key)
        }
    }

    func optionalString(_ key: String) throws(TreeError) -> String? {
        switch members[key] {
        case nil, .null?: return nil
        case .string(let string)?: return string
        case let other?: throw TreeError(.mismatch(String.self, found: other.typeName)).inside(key)
        }
    }

    func optionalBool(_ key: String) throws(TreeError) -> Bool? {
        switch members[key] {
        case nil, .null?: return nil
        case .bool(let bool)?: return bool
        case let other?: throw TreeError(.mismatch(Bool.self, found: other.typeName)).inside(key)
        }
    }

    func double(_ key: String) throws(TreeError) -> Double {
        guard let value = members[key] else { throw TreeError(.missing(key)) }
        switch value {
        case .double(let number): return number
        case .int(let number): return Double(number)
        case .null: throw TreeError(.null(Double.self)).inside(key)
        default: throw TreeError(.mismatch(Double.self, found: value.typeName)).inside(key)
        }
    }

    func rawValue<Value: RawRepresentable<String>>(_ key: String, _ type: Value.Type) throws(TreeError) -> Value {
        let raw = try string(key)
        guard let value = Value(rawValue: raw) else {
            throw TreeError(.corrupted("Cannot initialize \(Value.self) from invalid String value \(raw)")).inside(key)
        }
        return value
    }

    func strings(_ key: String) throws(TreeError) -> [String] {
        guard let value = members[key] else { throw TreeError(.missing(key)) }
        guard case .array(let elements) = value else {
            throw TreeError(value.isNull ? .null([String].self) : .mismatch([String].self, found: value.typeName))
                .inside(key)
        }
        return try elements.enumerated().map { index, element throws(TreeError) in
            switch element {
            case .string(let string): return string
            case .null: throw TreeError(.null(String.self)).inside(index).inside(key)
            default: throw TreeError(.mismatch(String.self, found: element.typeName)).inside(index).inside(key)
            }
        }
    }

    func optionalArray<Element>(
        _ key: String, _ element: (JSONValue) throws(TreeError) -> Element
    ) throws(TreeError) -> [Element]? {
        switch members[key] {
        case nil, .null?: return nil
        case .array(let elements)?:
            var decoded: [Element] = []
            decoded.reserveCapacity(elements.count)
            for (index, value) in elements.enumerated() {
                do throws(TreeError) {
                    guard !value.isNull else { throw TreeError(.null(Element.self)) }
                    decoded.append(try element(value))
                } catch {
                    throw error.inside(index).inside(key)
                }
            }
            return decoded
        case let other?: throw TreeError(.mismatch([Element].self, found: other.typeName)).inside(key)
        }
    }
}
