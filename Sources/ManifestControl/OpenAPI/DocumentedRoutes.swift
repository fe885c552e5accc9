import Foundation
import ManifestBuilder

/// The (method, path template) pairs of `openapi.json`, which a test proves equal to the
/// router's: used to tell "no such path" (404) from "no such method here" (405 with `Allow`).
enum DocumentedRoutes {
    /// Path templates split into segments (`{name}` segments match anything), with their methods.
    static let templates: [(segments: [Substring], methods: [String])] = {
        guard let document = try? JSONDecoder().decode(JSONValue.self, from: Data(OpenAPIDocument.bytes)),
            case .object(let paths)? = document["paths"]
        else { return [] }
        return paths.map { path, item in
            let methods = ["get", "post", "put", "patch", "delete"].filter { item[$0] != nil }.map { $0.uppercased() }
            return (path.split(separator: "/"), methods)
        }
    }()

    /// The methods documented for a concrete request path; empty when no template matches.
    static func methods(for path: String) -> [String] {
        let segments = path.split(separator: "/")
        return templates.filter { template in
            template.segments.count == segments.count
                && zip(template.segments, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }.flatMap(\.methods).sorted()
    }
}
