import Foundation
import HTTPTypes
import HummingbirdTesting
import ManifestBuilder
import NIOCore

/// One HTTP exchange with the control plane on 127.0.0.1, a connection per request.
struct Reply: Sendable {
    var status: Int
    var headers: HTTPFields
    var bytes: [UInt8]

    var text: String { String(decoding: bytes, as: UTF8.self) }
    var json: JSONValue { (try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))) ?? .null }
    subscript(_ key: String) -> JSONValue? { json[key] }
    func header(_ name: HTTPField.Name) -> String? { headers[name] }
}

struct APIClient: Sendable {
    var port: Int
    var token: String?

    func with(token: String?) -> APIClient { APIClient(port: port, token: token) }

    func get(_ path: String, headers: HTTPFields = [:]) async throws -> Reply {
        try await send(.get, path, headers: headers)
    }

    func post(_ path: String, _ body: JSONValue, headers: HTTPFields = [:]) async throws -> Reply {
        try await send(.post, path, raw: CanonicalJSON.encode(body), headers: headers)
    }

    func patch(_ path: String, _ body: JSONValue, headers: HTTPFields = [:]) async throws -> Reply {
        try await send(.patch, path, raw: CanonicalJSON.encode(body), headers: headers)
    }

    func delete(_ path: String, headers: HTTPFields = [:]) async throws -> Reply {
        try await send(.delete, path, headers: headers)
    }

    func send(_ method: HTTPRequest.Method, _ path: String, raw: [UInt8]? = nil, headers: HTTPFields = [:]) async throws
        -> Reply
    {
        var fields = headers
        if let token, fields[.authorization] == nil { fields[.authorization] = "Bearer \(token)" }
        if raw != nil, fields[.contentType] == nil { fields[.contentType] = "application/json" }
        let request = TestClient.Request(
            path, method: method, authority: "127.0.0.1", headers: fields,
            body: raw.map { ByteBuffer(bytes: $0) })
        let response = try await TestClient.withClient(
            host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(20))
        ) {
            try await $0.execute(request)
        }
        return Reply(
            status: Int(response.status.code), headers: response.headers,
            bytes: response.body.map { Array($0.readableBytesView) } ?? [])
    }
}
