import ManifestBuilder

/// A cookie of the page's origin, as WebDriver reports and sets it.
package struct WebDriverCookie: Sendable, Equatable {
    package var name: String
    package var value: String
    package var path: String
    /// Nil when setting: the current page's host.
    package var domain: String?
    package var httpOnly: Bool
    package var secure: Bool

    package init(
        name: String, value: String, path: String = "/", domain: String? = nil, httpOnly: Bool = false,
        secure: Bool = false
    ) {
        self.name = name
        self.value = value
        self.path = path
        self.domain = domain
        self.httpOnly = httpOnly
        self.secure = secure
    }

    init?(_ json: JSONValue) {
        guard let name = json["name"]?.stringValue, let value = json["value"]?.stringValue else { return nil }
        self.init(
            name: name, value: value, path: json["path"]?.stringValue ?? "/", domain: json["domain"]?.stringValue,
            httpOnly: json["httpOnly"] == true, secure: json["secure"] == true)
    }

    var json: JSONValue {
        var members: [String: JSONValue] = [
            "name": .string(name), "value": .string(value), "path": .string(path), "httpOnly": .bool(httpOnly),
            "secure": .bool(secure),
        ]
        if let domain { members["domain"] = .string(domain) }
        return .object(members)
    }
}

extension WebDriverSession {
    /// The cookies the current page can see, HttpOnly ones included.
    package func cookies() async throws -> [WebDriverCookie] {
        guard case .array(let cookies) = try await send(.get, "/cookie", command: "cookies") else { return [] }
        return cookies.compactMap(WebDriverCookie.init)
    }

    /// Sets a cookie for the current page's origin (a page must be loaded).
    package func addCookie(_ cookie: WebDriverCookie) async throws {
        _ = try await send(.post, "/cookie", ["cookie": cookie.json], command: "addCookie(\(cookie.name))")
    }

    package func deleteAllCookies() async throws {
        _ = try await send(.delete, "/cookie", command: "deleteAllCookies")
    }
}
