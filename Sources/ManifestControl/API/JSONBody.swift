import Foundation
import Hummingbird
import ManifestBuilder

/// A request body read strictly: it must be `application/json`, within the size limit, a JSON
/// object, with only the fields the operation knows, each of the right type. Every refusal is a
/// 4xx `ControlError` naming the field by JSON pointer; nothing is changed before the body is read.
struct JSONBody: Sendable {
    let members: [String: JSONValue]

    static func read(_ request: Request, limit: Int, allowed: Set<String>) async throws -> JSONBody {
        if let type = request.headers[.contentType], !Self.isJSON(type) {
            throw ControlError(
                .unsupportedMediaType, type: "unsupported-media-type", title: "Unsupported media type",
                detail: "Send the body as application/json.")
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw ControlError(
                .contentTooLarge, type: "too-large", title: "The body is too large",
                detail: "Request bodies are limited to \(limit) bytes.")
        }
        return try parse(Data(buffer.readableBytesView), allowed: allowed)
    }

    static func parse(_ data: Data, allowed: Set<String>) throws(ControlError) -> JSONBody {
        guard !data.isEmpty else { throw .badRequest("The request needs a JSON object body.", pointer: "") }
        do {
            try StrictJSONSyntax.check(Array(data))
        } catch {
            throw .badRequest("The body is not valid JSON: \(error.reason) at byte \(error.offset).", pointer: "")
        }
        let value: JSONValue
        do {
            value = try InputDocument.decode(JSONValue.self, from: data, file: "body")
        } catch {
            let location = error.line.map { " at line \($0), column \(error.column ?? 0)" } ?? ""
            throw .badRequest("The body is not valid JSON\(location).", pointer: "")
        }
        guard case .object(let members) = value else {
            throw .badRequest("The body must be a JSON object, not \(Self.described(value)).", pointer: "")
        }
        if let unknown = members.keys.filter({ !allowed.contains($0) }).sorted().first {
            let known = allowed.sorted().joined(separator: ", ")
            throw .badRequest(
                "Unknown field '\(unknown)'; this operation accepts: \(known).",
                pointer: "/" + JSONPointer.escape(unknown))
        }
        return JSONBody(members: members)
    }

    private static func isJSON(_ contentType: String) -> Bool {
        let media =
            contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return media == "application/json" || media.hasSuffix("+json")
    }

    func has(_ key: String) -> Bool { members[key] != nil }

    func string(_ key: String, required: Bool = false, maxLength: Int = 200) throws(ControlError) -> String? {
        guard let value = try present(key, required: required) else { return nil }
        guard case .string(let text) = value else { throw wrongType(key, "a string", value) }
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty, text.count <= maxLength else {
            throw .badRequest("'\(key)' must be 1 to \(maxLength) characters, not blank.", pointer: pointer(key))
        }
        return text
    }

    func bool(_ key: String) throws(ControlError) -> Bool? {
        guard let value = try present(key, required: false) else { return nil }
        guard case .bool(let flag) = value else { throw wrongType(key, "a boolean", value) }
        return flag
    }

    func object(_ key: String) throws(ControlError) -> [String: JSONValue]? {
        guard let value = try present(key, required: false) else { return nil }
        guard case .object(let members) = value else { throw wrongType(key, "an object", value) }
        return members
    }

    func enumeration<T: RawRepresentable & CaseIterable>(_ key: String, _: T.Type, required: Bool = false)
        throws(ControlError) -> T?
    where T.RawValue == String {
        guard let text = try string(key, required: required) else { return nil }
        guard let value = T(rawValue: text) else {
            let allowed = T.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            throw .badRequest("'\(key)' must be one of \(allowed), not '\(text)'.", pointer: pointer(key))
        }
        return value
    }

    /// An identifier for a path segment: letters, digits, `-`, `_`, `.`, 1 to 64 characters.
    func identifier(_ key: String) throws(ControlError) -> String? {
        guard let text = try string(key, maxLength: 64) else { return nil }
        guard Self.isIdentifier(text) else {
            throw .badRequest(
                "'\(key)' may hold only letters, digits, '-', '_' and '.' (1 to 64).", pointer: pointer(key))
        }
        return text
    }

    func filters(_ key: String) throws(ControlError) -> [DestinationFilter]? {
        guard let value = try present(key, required: false) else { return nil }
        guard case .array = value else { throw wrongType(key, "an array", value) }
        do {
            return try JSONDecoder().decode([DestinationFilter].self, from: Data(CanonicalJSON.encode(value)))
        } catch {
            throw .badRequest(
                "'\(key)' must be a list of filters: {\"name\", \"if\", \"action\": {\"type\": ...}}.",
                pointer: pointer(key))
        }
    }

    static func isIdentifier(_ text: some StringProtocol) -> Bool {
        (1...64).contains(text.count)
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }

    private func present(_ key: String, required: Bool) throws(ControlError) -> JSONValue? {
        guard let value = members[key], value != .null else {
            if required { throw .badRequest("The field '\(key)' is required.", pointer: pointer(key)) }
            return nil
        }
        return value
    }

    private func wrongType(_ key: String, _ expected: String, _ value: JSONValue) -> ControlError {
        .badRequest("'\(key)' must be \(expected), not \(Self.described(value)).", pointer: pointer(key))
    }

    /// "an integer", "a string", ...
    private static func described(_ value: JSONValue) -> String {
        let name = value.typeName
        return ("aeiou".contains(name.first!) ? "an " : "a ") + name
    }

    private func pointer(_ key: String) -> String { "/" + JSONPointer.escape(key) }
}
