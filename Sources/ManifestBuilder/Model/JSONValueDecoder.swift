/// Decodes `Decodable` types from a parsed `JSONValue`, so that a file is parsed once.
///
/// `InputDocument` used to check the syntax with `JSONValue.parse` and then decode the same
/// bytes again with `JSONDecoder`: for a 51 MB workspace that second pass was most of
/// `manifest validate`'s time and memory (issue 16). Decoding from the tree that the syntax
/// check built costs a dictionary lookup per field, and a free-form `JSONValue` or settings
/// object is taken from the tree as it is (its storage is shared, not copied).
///
/// The types' own `init(from:)` run unchanged, so defaults, checks and `DecodingError`s (with
/// their coding paths, which `InputDocument` turns into JSON paths) are the same as before. A
/// `Workspace`, the one large document, is read by hand instead (`WorkspaceTreeDecoding.swift`).
enum JSONValueDecoder {
    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        if type == Workspace.self {
            do {
                return try Workspace(tree: value) as! T
            } catch {
                throw error.decodingError
            }
        }
        return try TreeDecoder(value: value, codingPath: []).decodeValue(type)
    }
}

/// An array index as a coding key.
private struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct TreeDecoder: Decoder, SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw mismatch([String: JSONValue].self) }
        return KeyedDecodingContainer(KeyedContainer<Key>(members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw mismatch([JSONValue].self) }
        return UnkeyedContainer(elements: elements, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { value.isNull }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let bool) = value else { throw mismatch(type) }
        return bool
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let string) = value else { throw mismatch(type) }
        return string
    }

    func decode(_ type: Double.Type) throws -> Double {
        switch value {
        case .double(let number): return number
        case .int(let number): return Double(number)
        default: throw mismatch(type)
        }
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

    func decode(_ type: Int.Type) throws -> Int {
        switch value {
        case .int(let number): return number
        case .double(let number):
            // 1e2 is the integer 100, as for JSONDecoder; 1.5 is not an integer.
            guard let integer = Int(exactly: number) else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: codingPath, debugDescription: "the number \(number) is not an integer"))
            }
            return integer
        default: throw mismatch(type)
        }
    }

    func decode<T: BinaryInteger & Decodable>(integer type: T.Type) throws -> T {
        let number = try decode(Int.self)
        guard let exact = T(exactly: number) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: codingPath, debugDescription: "the number \(number) does not fit \(T.self)"))
        }
        return exact
    }

    func decode(_ type: Int8.Type) throws -> Int8 { try decode(integer: type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decode(integer: type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decode(integer: type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decode(integer: type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decode(integer: type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decode(integer: type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decode(integer: type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decode(integer: type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decode(integer: type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeValue(type) }

    /// Free-form values come straight from the tree; everything else through its `init(from:)`.
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if type == JSONValue.self { return value.integralNumbersAsInts() as! T }
        if type == [String: JSONValue].self {
            guard case .object = value, case .object(let members) = value.integralNumbersAsInts() else {
                throw mismatch(type)
            }
            return members as! T
        }
        if type == String.self { return try decode(String.self) as! T }
        return try T(from: self)
    }

    func mismatch(_ type: Any.Type) -> DecodingError {
        DecodingError.typeMismatch(type, .init(codingPath: codingPath, debugDescription: "found \(value.typeName)"))
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSONValue]
    let codingPath: [any CodingKey]

    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func member(_ key: Key) throws -> JSONValue {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(
                key, .init(codingPath: codingPath, debugDescription: "no value for the key '\(key.stringValue)'"))
        }
        return value
    }

    private func decoder(_ key: Key) throws -> TreeDecoder {
        TreeDecoder(value: try member(key), codingPath: codingPath + [key])
    }

    func decodeNil(forKey key: Key) throws -> Bool { try member(key).isNull }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let value = try member(key)
        if value.isNull && type != JSONValue.self {
            throw DecodingError.valueNotFound(
                type, .init(codingPath: codingPath + [key], debugDescription: "found null"))
        }
        return try TreeDecoder(value: value, codingPath: codingPath + [key]).decodeValue(type)
    }

    /// One lookup instead of the default's three (contains, decodeNil, decode).
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = members[key.stringValue], value != .null else { return nil }
        return try TreeDecoder(value: value, codingPath: codingPath + [key]).decodeValue(type)
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let value = members[key.stringValue], value != .null else { return nil }
        guard case .string(let string) = value else {
            throw TreeDecoder(value: value, codingPath: codingPath + [key]).mismatch(type)
        }
        return string
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let value = members[key.stringValue], value != .null else { return nil }
        guard case .bool(let bool) = value else {
            throw TreeDecoder(value: value, codingPath: codingPath + [key]).mismatch(type)
        }
        return bool
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        let value = try member(key)
        guard case .string(let string) = value else {
            if value.isNull {
                throw DecodingError.valueNotFound(
                    type, .init(codingPath: codingPath + [key], debugDescription: "found null"))
            }
            throw TreeDecoder(value: value, codingPath: codingPath + [key]).mismatch(type)
        }
        return string
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        TreeDecoder(value: .object(members), codingPath: codingPath)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        TreeDecoder(value: members[key.stringValue] ?? .null, codingPath: codingPath + [key])
    }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0

    init(elements: [JSONValue], codingPath: [any CodingKey]) {
        self.elements = elements
        self.codingPath = codingPath
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private mutating func next(_ type: Any.Type) throws -> TreeDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                type, .init(codingPath: codingPath + [IndexKey(currentIndex)], debugDescription: "the array ended"))
        }
        defer { currentIndex += 1 }
        return TreeDecoder(value: elements[currentIndex], codingPath: codingPath + [IndexKey(currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let element = try next(type)
        if element.value.isNull && type != JSONValue.self {
            throw DecodingError.valueNotFound(
                type, .init(codingPath: element.codingPath, debugDescription: "found null"))
        }
        return try element.decodeValue(type)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try next([String: JSONValue].self).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next([JSONValue].self).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder { try next(JSONValue.self) }
}

extension JSONValue {
    var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// `2.0` and `1e2` as the integers they are, as `JSONDecoder` gave them (it tries `Int`
    /// first), so that an `integer` setting written `2.0` stays valid. Rebuilds only the
    /// containers that hold such a number; everything else keeps its storage.
    func integralNumbersAsInts() -> JSONValue {
        switch self {
        case .double(let number): return Int(exactly: number).map(JSONValue.int) ?? self
        case .array(let elements):
            guard elements.contains(where: \.hasIntegralDouble) else { return self }
            return .array(elements.map { $0.integralNumbersAsInts() })
        case .object(let members):
            guard members.values.contains(where: \.hasIntegralDouble) else { return self }
            return .object(members.mapValues { $0.integralNumbersAsInts() })
        default: return self
        }
    }

    private var hasIntegralDouble: Bool {
        switch self {
        case .double(let number): Int(exactly: number) != nil
        case .array(let elements): elements.contains(where: \.hasIntegralDouble)
        case .object(let members): members.values.contains(where: \.hasIntegralDouble)
        default: false
        }
    }
}
