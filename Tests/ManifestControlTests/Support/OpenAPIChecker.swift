import Foundation
import HTTPTypes
import ManifestBuilder

@testable import ManifestControl

/// A tiny checker: a JSON answer carries every `required` property of the response schema the
/// OpenAPI document gives for its operation and status, recursively through objects and arrays.
enum OpenAPIChecker {
    struct Mismatch: Error, CustomStringConvertible {
        var description: String
    }

    static let document: JSONValue = try! JSONDecoder().decode(JSONValue.self, from: Data(OpenAPIDocument.bytes))

    static func check(_ reply: Reply, _ method: String, _ path: String) throws {
        guard let operation = document["paths"]?[path]?[method.lowercased()] else {
            throw Mismatch(description: "\(method) \(path) is not in openapi.json")
        }
        guard let response = operation["responses"]?[String(reply.status)] else {
            throw Mismatch(description: "\(method) \(path) does not document status \(reply.status)")
        }
        let resolvedResponse = resolve(response)
        let mediaType = reply.header(.contentType) ?? "application/json"
        guard let schema = resolvedResponse["content"]?[mediaType]?["schema"] else {
            throw Mismatch(description: "\(method) \(path) \(reply.status) documents no JSON schema")
        }
        try check(reply.json, against: schema, at: "\(method) \(path) \(reply.status) $")
    }

    static func check(_ value: JSONValue, against schema: JSONValue, at location: String) throws {
        let schema = resolve(schema)
        if let alternatives = schema["oneOf"]?.arrayValue ?? schema["anyOf"]?.arrayValue {
            guard alternatives.contains(where: { (try? check(value, against: $0, at: location)) != nil }) else {
                throw Mismatch(description: "\(location): matches none of the alternatives")
            }
            return
        }
        switch value {
        case .object(let members):
            for case .string(let name) in schema["required"]?.arrayValue ?? [] where members[name] == nil {
                throw Mismatch(description: "\(location): missing required property '\(name)'")
            }
            for (name, member) in members {
                if let property = schema["properties"]?[name] {
                    try check(member, against: property, at: "\(location).\(name)")
                }
            }
        case .array(let items):
            if let itemSchema = schema["items"] {
                for (index, item) in items.enumerated() {
                    try check(item, against: itemSchema, at: "\(location)[\(index)]")
                }
            }
        default:
            break
        }
    }

    /// Follows `$ref: #/components/...` references.
    static func resolve(_ schema: JSONValue) -> JSONValue {
        guard case .string(let reference)? = schema["$ref"], reference.hasPrefix("#/") else { return schema }
        let target = reference.dropFirst(2).split(separator: "/").reduce(Optional(document)) { $0?[String($1)] }
        return resolve(target ?? .null)
    }
}
