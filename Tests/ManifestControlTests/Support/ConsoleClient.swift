import Foundation
import HTTPTypes

/// A browser without JavaScript, for the console: keeps the session cookie, follows nothing on
/// its own, and posts forms with the CSRF token of the last page it read.
struct ConsoleClient: Sendable {
    var api: APIClient
    var cookie: String?
    var csrf: String?

    init(port: Int) {
        api = APIClient(port: port, token: nil)
    }

    /// Signs in with `token`; the client keeps the session cookie the console set.
    mutating func signIn(_ token: String) async throws -> Reply {
        let reply = try await post("/console/sign-in", ["token": token], csrf: false)
        if let setCookie = reply.header(.setCookie), let pair = setCookie.split(separator: ";").first {
            cookie = String(pair)
        }
        return reply
    }

    /// GETs a page and remembers its CSRF token.
    mutating func get(_ path: String) async throws -> Reply {
        let reply = try await api.get(path, headers: headers())
        if let token = Self.csrf(in: reply.text) { csrf = token }
        return reply
    }

    /// POSTs a form, with the CSRF token of the last page unless `csrf` is false.
    func post(_ path: String, _ fields: [String: String], csrf includeCSRF: Bool = true) async throws -> Reply {
        var all = fields
        if includeCSRF, let csrf { all["csrf"] = csrf }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = all.sorted { $0.key < $1.key }.map {
            "\($0.key.addingPercentEncoding(withAllowedCharacters: allowed)!)="
                + $0.value.addingPercentEncoding(withAllowedCharacters: allowed)!
        }.joined(separator: "&")
        var fields = headers()
        fields[.contentType] = "application/x-www-form-urlencoded"
        return try await api.send(.post, path, raw: Array(body.utf8), headers: fields)
    }

    private func headers() -> HTTPFields {
        var fields = HTTPFields()
        if let cookie { fields[.cookie] = cookie }
        return fields
    }

    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: "name=\"csrf\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }
}
