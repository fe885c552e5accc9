import Foundation
import HTTPTypes
import ManifestBuilder
import ManifestHTTP

/// The W3C WebDriver wire protocol: one JSON command over HTTP to chromedriver on loopback, with
/// the project's libcurl client, answered by the `value` of the reply or a `WebDriverError`.
struct WebDriverWire: Sendable {
    /// `http://127.0.0.1:PORT`: chromedriver only, never anything off the machine.
    let base: String
    let client: CurlHTTPClient

    /// Sends `method path` with `body` as JSON (POSTs always carry a body, `{}` when there is
    /// nothing to say, as the protocol requires) and returns the reply's `value`. `command` is
    /// what the caller was doing, for the error message.
    func send(
        _ method: HTTPRequest.Method, _ path: String, _ body: JSONValue? = nil, command: String
    ) async throws -> JSONValue {
        let what = "\(command) [\(method.rawValue) \(path)]"
        var request = CurlHTTPClient.Request(method: method, url: base + path)
        let empty: JSONValue = [:]
        if let body = method == .post ? body ?? empty : body {
            request.headerFields[.contentType] = "application/json; charset=utf-8"
            request.body = Array(try JSONEncoder().encode(body))
        }
        let response: CurlHTTPClient.Response
        do {
            response = try await client.execute(request)
        } catch {
            throw WebDriverError(command: what, error: "no response", message: "\(error)")
        }
        guard let reply = try? JSONValue.parse(response.body) else {
            let text = String(decoding: response.body.prefix(200), as: UTF8.self)
            throw WebDriverError(command: what, error: "not JSON", message: "HTTP \(response.status.code): \(text)")
        }
        let value = reply["value"] ?? .null
        guard response.status.kind == .successful else {
            throw WebDriverError(
                command: what, error: value["error"]?.stringValue ?? "HTTP \(response.status.code)",
                message: value["message"]?.stringValue ?? "")
        }
        return value
    }
}

extension JSONValue {
    /// The string this is, if it is one: what most WebDriver commands answer.
    var stringValue: String? {
        if case .string(let string) = self { string } else { nil }
    }
}
