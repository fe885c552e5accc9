import Foundation
import ManifestBuilder
import Testing

@testable import ManifestControl

/// The server and `openapi.json` agree: the same (method, path template) pairs, and the
/// document is the one the server serves. A route added or removed on either side fails here.
@Suite struct OpenAPIDriftTests {
    @Test func theRouterServesExactlyTheDocumentedOperations() async throws {
        try await withControlPlane(loading: []) { harness, client in
            let routes = Set(
                harness.plane.makeRouter().routes.filter { !$0.path.description.hasPrefix("/console") }.map { route in
                    "\(route.method.rawValue) " + Self.template(route.path.description)
                })
            let documented = try Self.documentedOperations()
            #expect(routes.subtracting(documented).sorted() == [], "served but not documented")
            #expect(documented.subtracting(routes).sorted() == [], "documented but not served")
            let served = try await client.get("/openapi.json")
            #expect(served.bytes == OpenAPIDocument.bytes)
        }
    }

    @Test func theRepositoryCopyIsTheServedDocument() throws {
        let file = Fixtures.root.appendingPathComponent("Sources/ManifestControl/OpenAPI/openapi.json")
        #expect(try Data(contentsOf: file) == Data(OpenAPIDocument.bytes))
        #expect(OpenAPIChecker.document["openapi"] == "3.1.0")
    }

    @Test func everyReferenceResolves() throws {
        func references(in value: JSONValue) -> [String] {
            switch value {
            case .object(let members):
                (members["$ref"]?.stringValue.map { [$0] } ?? []) + members.values.flatMap(references)
            case .array(let items): items.flatMap(references)
            default: []
            }
        }
        for reference in references(in: OpenAPIChecker.document) {
            #expect(OpenAPIChecker.resolve(["$ref": .string(reference)]) != .null, "\(reference)")
        }
    }

    static func template(_ path: String) -> String {
        "/"
            + path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(
                separator: "/")
    }

    static func documentedOperations() throws -> Set<String> {
        guard case .object(let paths)? = OpenAPIChecker.document["paths"] else { return [] }
        var operations: Set<String> = []
        for (path, item) in paths {
            guard case .object(let methods) = item else { continue }
            for method in methods.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                operations.insert("\(method.uppercased()) \(path)")
            }
        }
        return operations
    }
}
