import Foundation
import HTTPTypes
import ManifestBuilder

/// One headless Chromium, driven through chromedriver: navigation, finding elements, scripts and
/// screenshots. Each session has its own temporary profile, removed when the session ends.
package final class WebDriverSession: Sendable {
    package let id: String
    let wire: WebDriverWire
    private let profile: TemporaryDirectory

    /// Opens a session on `driver`: a new headless Chromium, 1200×900, with a fresh profile.
    package static func start(on driver: ChromeDriver) async throws -> WebDriverSession {
        let profile = try TemporaryDirectory("chromium-profile")
        let arguments: [JSONValue] = [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--window-size=1200,900", .string("--user-data-dir=\(profile.url.path)"),
        ]
        let options: JSONValue = ["binary": .string(ChromeDriver.browser), "args": .array(arguments)]
        let capabilities: JSONValue = [
            "alwaysMatch": ["browserName": "chrome", "goog:chromeOptions": options]
        ]
        do {
            let value = try await driver.wire.send(
                .post, "/session", ["capabilities": capabilities], command: "new session")
            guard let id = value["sessionId"]?.stringValue else {
                throw WebDriverError(command: "new session", error: "no session id", message: "\(value)")
            }
            return WebDriverSession(id: id, wire: driver.wire, profile: profile)
        } catch {
            profile.remove()
            throw error
        }
    }

    private init(id: String, wire: WebDriverWire, profile: TemporaryDirectory) {
        self.id = id
        self.wire = wire
        self.profile = profile
    }

    deinit {
        profile.remove()
    }

    /// Sends a command about this session (`path` relative to `/session/ID`).
    func send(_ method: HTTPRequest.Method, _ path: String, _ body: JSONValue? = nil, command: String) async throws
        -> JSONValue
    {
        try await wire.send(method, "/session/\(id)" + path, body, command: command)
    }

    /// Ends the session, which quits the browser, and removes its profile.
    package func deleteSession() async throws {
        defer { profile.remove() }
        _ = try await send(.delete, "", command: "delete session")
    }

    /// Loads `url` and returns once the page has loaded.
    package func navigate(to url: String) async throws {
        _ = try await send(.post, "/url", ["url": .string(url)], command: "navigate(\(url))")
    }

    package func currentURL() async throws -> String {
        try await send(.get, "/url", command: "currentURL").stringValue ?? ""
    }

    package func title() async throws -> String {
        try await send(.get, "/title", command: "title").stringValue ?? ""
    }

    /// The current DOM, serialised.
    package func pageSource() async throws -> String {
        try await send(.get, "/source", command: "pageSource").stringValue ?? ""
    }

    /// The first element matching the CSS selector; throws "no such element" when there is none.
    package func find(_ css: String) async throws -> WebElement {
        let command = "find(\"\(css)\")"
        let value = try await send(.post, "/element", WebElement.locator(css), command: command)
        return try WebElement(value, session: self, command: command)
    }

    /// Every element matching the CSS selector, in document order; empty when there is none.
    package func findAll(_ css: String) async throws -> [WebElement] {
        let command = "findAll(\"\(css)\")"
        let value = try await send(.post, "/elements", WebElement.locator(css), command: command)
        guard case .array(let elements) = value else { return [] }
        return try elements.map { try WebElement($0, session: self, command: command) }
    }

    /// The first element matching the CSS selector once there is one: for pages that change after
    /// a click or a script. Polls until `timeout`, then throws `ElementWaitTimeout`.
    package func waitFor(_ css: String, timeout: Duration = .seconds(5)) async throws -> WebElement {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let element = try await findAll(css).first { return element }
            guard ContinuousClock.now < deadline else {
                let url = (try? await currentURL()) ?? "an unknown page"
                throw ElementWaitTimeout(selector: css, timeout: timeout, url: url)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Runs `script` as the body of a function in the page (`arguments[i]` are `args`; pass
    /// `element.reference` for an element) and returns what it returns.
    package func executeScript(_ script: String, args: [JSONValue] = []) async throws -> JSONValue {
        try await send(
            .post, "/execute/sync", ["script": .string(script), "args": .array(args)], command: "executeScript")
    }

    /// Saves a PNG of the viewport at `path` (creating its folder) and returns its bytes.
    @discardableResult
    package func screenshot(to path: URL) async throws -> Data {
        let value = try await send(.get, "/screenshot", command: "screenshot")
        guard let base64 = value.stringValue, let png = Data(base64Encoded: base64) else {
            throw WebDriverError(command: "screenshot", error: "not base64", message: String(describing: value))
        }
        try FileManager.default.createDirectory(
            at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try png.write(to: path)
        return png
    }
}
