import Foundation
import HTTPTypes
import ManifestBuilder
import ManifestControl
import ManifestEdge
import ManifestHTTP
import ManifestOrigin
import Synchronization
import TestSupport
import Testing

/// An origin, an edge following its invalidation stream, and the control plane publishing into
/// the origin's store, all on loopback, with the Acme workspace: what the console tests click
/// through, and what a page load then gets.
struct ConsoleStack: Sendable {
    let harness: ControlHarness
    let edge: String
    let console: String
    let token: String
    /// The control plane's own address, for Config API calls next to the console.
    var control: String { String(console.dropLast("/console".count)) }

    /// Signs in through the sign-in form.
    func signIn(_ browser: WebDriverSession) async throws {
        try await browser.navigate(to: console + "/sign-in")
        try await browser.find("#token").sendKeys(token)
        try await browser.find("button[type=submit]").click()
        _ = try await browser.waitFor("h1")
        #expect(try await browser.currentURL().hasSuffix("/console/w/ws_acme/sources"))
    }

    /// A Config API call with the stack's token.
    func api(_ method: HTTPRequest.Method, _ path: String, _ body: String) async throws -> CurlHTTPClient.Response {
        try await CurlHTTPClient.shared.execute(
            .init(
                method: method, url: control + path,
                headerFields: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                timeout: .seconds(30), body: Array(body.utf8)))
    }

    /// The settings document the edge serves for `writeKey`.
    func edgeDocument(_ writeKey: String) async throws -> String {
        let response = try await CurlUpstream(baseURL: edge, timeout: .seconds(30)).fetch(
            "/v1/projects/\(writeKey)/settings", headerFields: [:])
        return String(decoding: response.body.readableBytesView, as: UTF8.self)
    }

    /// The edge's demo page for `writeKey`, verifying with the harness's signing key.
    func demoURL(writeKey: String) -> String {
        var components = URLComponents(string: edge + "/demo")!
        components.queryItems = [
            URLQueryItem(name: "writeKey", value: writeKey),
            URLQueryItem(name: "keyId", value: harness.signingKey.publicKey.keyID),
            URLQueryItem(name: "publicKey", value: harness.signingKey.publicKey.publicKey),
        ]
        return components.url!.absoluteString.replacingOccurrences(of: "+", with: "%2B")
    }

    /// The JSON the demo page writes into `#result` once the loader is done.
    func demoResult(_ browser: WebDriverSession) async throws -> JSONValue {
        try await withTimeLimit {
            while true {
                try Task.checkCancellation()
                let text = try await browser.find("#result").text()
                if !text.isEmpty { return try JSONValue.parse(Array(text.utf8)) }
                await Task.yield()
            }
        }
    }

    /// Waits until the element `css` exists and its text satisfies `matches`: after a click that
    /// submits a form, the old page's element may still be there (or go stale) for a moment.
    /// On timeout, the error says what the element last said.
    @discardableResult
    func waitForText(
        _ browser: WebDriverSession, _ css: String, _ matches: @escaping @Sendable (String) -> Bool
    ) async throws -> String {
        let last = Mutex("")
        do {
            return try await withTimeLimit {
                while true {
                    try Task.checkCancellation()
                    if let text = try? await browser.find(css).text() {
                        last.withLock { $0 = text }
                        if matches(text) { return text }
                    }
                    await Task.yield()
                }
            }
        } catch is TimeLimitExceeded {
            Issue.record("\(css) says \"\(last.withLock { $0 })\" on \(try await browser.currentURL())")
            throw CancellationError()
        }
    }

    /// Waits until the browser is at an address containing `part`: a search submitted with
    /// Enter lists results that the page before it listed too, so wait for the new page first.
    func waitForURL(_ browser: WebDriverSession, containing part: String) async throws {
        try await withTimeLimit {
            while try await !browser.currentURL().contains(part) {
                try Task.checkCancellation()
                await Task.yield()
            }
        }
    }

    func instance(_ name: String) async throws -> DestinationInstance {
        let workspace = try #require(try await harness.store.workspace(id: "ws_acme")).workspace
        return try #require(workspace.sources.flatMap(\.instances).first { $0.name == name })
    }

    /// The address of the link whose text is `text`.
    func link(_ browser: WebDriverSession, text: String) async throws -> String {
        let href = try await browser.executeScript(
            "return Array.from(document.querySelectorAll('a')).find(a => a.textContent === arguments[0]).href",
            args: [.string(text)])
        return try #require(href.stringValue)
    }

    func screenshot(_ browser: WebDriverSession, _ name: String) async throws {
        try FileManager.default.createDirectory(at: TestSupport.Fixtures.artefacts, withIntermediateDirectories: true)
        try await browser.screenshot(to: TestSupport.Fixtures.artefacts.appendingPathComponent(name))
    }
}

/// Edge progress straight from the origin's registry (production asks `/v1/subscribers`).
struct RegistryEdges: EdgeProgressSource {
    let registry: SubscriberRegistry

    func edges() async throws -> [EdgeProgress] {
        registry.list().subscribers.map { EdgeProgress(name: $0.name, applied: $0.applied) }
    }
}

/// Runs `body` with a browser and a console stack, and stops everything afterwards.
func withConsoleStack(_ body: @Sendable (ConsoleStack, WebDriverSession) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("console-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let key = SigningKey()
    // The origin reads the same SQLite file the control plane publishes into.
    let originStore = try SQLiteOriginStore(path: directory.appendingPathComponent("origin.sqlite").path)
    try await withServers { servers in
        let origin = OriginController(store: originStore, publicKey: key.publicKey)
        let originURL = "http://127.0.0.1:\(try await servers.start(origin: origin))"
        let cache = EdgeCache(
            upstream: CurlUpstream(baseURL: originURL, timeout: .seconds(30)),
            configuration: EdgeConfiguration(name: "edge-test"), logger: .test)
        let subscriber = InvalidationSubscriber(
            upstream: CurlUpstream(baseURL: originURL, timeout: .seconds(30)), cache: cache, wait: 1, logger: .test)
        let edge =
            "http://127.0.0.1:\(try await servers.start(EdgeResponder(cache: cache, purgeToken: nil, relay: subscriber)))"
        servers.run(subscriber)
        let harness = try ControlHarness(
            directory: directory, edges: RegistryEdges(registry: origin.subscribers), signingKey: key, cdnBase: edge)
        try await harness.load(Fixtures.acme)
        _ = try await harness.publisher.republishAll()
        let console = "http://127.0.0.1:\(try await servers.start(harness.plane.makeRouter()))/console"
        let stack = ConsoleStack(
            harness: harness, edge: edge, console: console,
            token: try await harness.token(.write, workspace: "ws_acme", name: "alice"))
        try await withBrowser { browser in try await body(stack, browser) }
    }
}
