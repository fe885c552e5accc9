import HTTPTypes
import ManifestBuilder

/// An element of the page a session shows, as WebDriver refers to it; stale once the page
/// navigates away.
package struct WebElement: Sendable {
    /// The key WebDriver uses for element references in JSON (W3C "web element identifier").
    static let key = "element-6066-11e4-a52e-4f735466cecf"

    package let id: String
    private let session: WebDriverSession

    init(_ value: JSONValue, session: WebDriverSession, command: String) throws {
        guard let id = value[Self.key]?.stringValue else {
            throw WebDriverError(command: command, error: "not an element", message: "\(value)")
        }
        self.id = id
        self.session = session
    }

    /// The element as a script argument (`executeScript(_:args:)`).
    package var reference: JSONValue { [Self.key: .string(id)] }

    /// The body of a find command for a CSS selector.
    static func locator(_ css: String) -> JSONValue {
        ["using": "css selector", "value": .string(css)]
    }

    private func send(_ method: HTTPRequest.Method, _ path: String, _ body: JSONValue? = nil, command: String)
        async throws -> JSONValue
    {
        try await session.send(method, "/element/\(id)" + path, body, command: command)
    }

    /// Clicks the element's centre, as a user would (it must be visible and not covered).
    package func click() async throws {
        _ = try await send(.post, "/click", command: "click")
    }

    /// Types `text` into the element; WebDriver keys such as Enter (`"\u{E007}"`) are keys, not text.
    package func sendKeys(_ text: String) async throws {
        _ = try await send(.post, "/value", ["text": .string(text)], command: "sendKeys")
    }

    /// Empties a text field.
    package func clear() async throws {
        _ = try await send(.post, "/clear", command: "clear")
    }

    /// The rendered text, as a user sees it.
    package func text() async throws -> String {
        try await send(.get, "/text", command: "text").stringValue ?? ""
    }

    /// The HTML attribute as written in the markup; nil when absent.
    package func attribute(_ name: String) async throws -> String? {
        try await send(.get, "/attribute/\(name)", command: "attribute(\(name))").stringValue
    }

    /// The DOM property (such as `value` or `checked`), which follows what the user did.
    package func property(_ name: String) async throws -> JSONValue {
        try await send(.get, "/property/\(name)", command: "property(\(name))")
    }

    package func isEnabled() async throws -> Bool {
        try await send(.get, "/enabled", command: "isEnabled") == true
    }

    /// Whether a checkbox or radio button is checked, or an option selected.
    package func isSelected() async throws -> Bool {
        try await send(.get, "/selected", command: "isSelected") == true
    }

    /// The first element inside this one matching the CSS selector.
    package func find(_ css: String) async throws -> WebElement {
        let command = "find(\"\(css)\") in element"
        return try WebElement(
            try await send(.post, "/element", Self.locator(css), command: command), session: session, command: command)
    }
}
