import Foundation

/// The OpenAPI 3.1 document of the API (`openapi.json`, a resource of this module, kept in the
/// repository). Hand-written; a test checks that the router serves exactly its paths.
public enum OpenAPIDocument {
    public static let bytes: [UInt8] = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
            let data = try? Data(contentsOf: url)
        else { return Array("{}".utf8) }
        return Array(data)
    }()
}
