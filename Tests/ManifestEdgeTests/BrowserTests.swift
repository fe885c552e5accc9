import Foundation
import HTTPTypes
import Hummingbird
import ManifestBuilder
import ManifestHTTP
import ManifestOrigin
import ManifestSimulation
import ManifestTLS
import NIOCore
import TestSupport
import Testing

@testable import ManifestEdge

/// Headless Chromium, driven from the command line: it loads a page, runs it until the network
/// is quiet, and prints the resulting DOM.
final class Chromium: Sendable {
    static let executable = "/usr/bin/chromium"
    /// Where screenshots go: a test artefact, ignored by git.
    static let artefacts = Fixtures.artefacts

    let profile: URL
    /// The HOME Chromium runs with: its NSS database (`.pki/nssdb`) holds the CA it trusts.
    private let home: URL?

    deinit {
        try? FileManager.default.removeItem(at: profile)
    }

    /// A fresh profile; with `certificateAuthority`, a PEM file, that CA is added to the
    /// browser's trust store, as a user adds a development CA.
    init(trusting certificateAuthority: String? = nil) async throws {
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        guard let certificateAuthority else {
            home = nil
            return
        }
        let home = profile.appendingPathComponent("home")
        let database = home.appendingPathComponent(".pki/nssdb")
        try FileManager.default.createDirectory(at: database, withIntermediateDirectories: true)
        try await onOwnThread {
            try Self.certutil(["-d", "sql:\(database.path)", "-N", "--empty-password"])
            try Self.certutil([
                "-d", "sql:\(database.path)", "-A", "-t", "C,,", "-n", "manifest development CA", "-i",
                certificateAuthority,
            ])
        }
        self.home = home
    }

    private static func certutil(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/certutil")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "certutil \(arguments) failed"])
        }
    }

    /// The DOM after the page settled; the same profile keeps localStorage and the HTTP cache
    /// between calls, as one browser would. Waits without blocking a thread: the servers the
    /// page talks to run on the same (two-thread) concurrency pool.
    func dom(_ url: String, screenshot: String? = nil) async throws -> String {
        var arguments = [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--user-data-dir=\(profile.path)", "--virtual-time-budget=10000", "--window-size=900,700",
        ]
        if let screenshot {
            try FileManager.default.createDirectory(at: Self.artefacts, withIntermediateDirectories: true)
            arguments.append("--screenshot=\(Self.artefacts.appendingPathComponent(screenshot).path)")
        } else {
            arguments.append("--dump-dom")
        }
        let outputFile = profile.appendingPathComponent("dom-\(UUID().uuidString).html")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputFile)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = arguments + [url]
        if let home {
            var environment = ProcessInfo.processInfo.environment
            environment["HOME"] = home.path
            process.environment = environment
        }
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
            process.terminationHandler = { _ in finished.resume() }
            do { try process.run() } catch { finished.resume() }
        }
        try output.close()
        return String(decoding: FileManager.default.contents(atPath: outputFile.path) ?? Data(), as: UTF8.self)
    }

    /// The JSON the demo page writes into `<pre id="result">`.
    func result(_ url: String) async throws -> JSONValue {
        let dom = try await dom(url)
        guard let start = dom.range(of: "<pre id=\"result\">")?.upperBound,
            let end = dom[start...].range(of: "</pre>")?.lowerBound
        else { return .null }
        let text = String(dom[start..<end]).replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
        return (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .null
    }
}

/// Passes requests to the edge, changing what a test wants changed on the way back: a CDN
/// that tampers.
private struct TamperingProxy: HTTPResponder {
    typealias Context = BasicRequestContext
    let edge: CurlUpstream
    let change: @Sendable (String, inout [UInt8]) -> Void

    func respond(to request: Request, context: Context) async throws -> Response {
        let answer = try await edge.fetch(request.uri.string, headerFields: [:])
        var body = Array(buffer: answer.body)
        change(request.uri.path, &body)
        var fields = answer.headerFields
        fields[.contentLength] = nil
        return Response(status: answer.status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// One test (and one scheme) at a time: each Chromium takes both cores for seconds, and six at
/// once starved the suites running beside them past their time limits.
@Suite(
    "The loader and demo page in headless Chromium", .serialized,
    .enabled(if: FileManager.default.isExecutableFile(atPath: Chromium.executable)))
struct BrowserTests {

    /// The fixture workspace published into a fresh store, served by an origin and an edge on loopback.
    final class Stack: Sendable {
        let store: SQLiteOriginStore
        let key = SigningKey()
        let catalog: Catalog
        let bundles: BundleSet
        let workspace: Workspace
        private let directory: TemporaryDirectory
        /// The edge's certificate and the CA the browser trusts, for runs over HTTPS.
        private let certificates: DevelopmentCertificates
        var web: Source { workspace.sources.first { $0.kind == .web }! }

        init() throws {
            catalog = try Fixtures.catalog()
            workspace = try Fixtures.acme()
            bundles = try Fixtures.bundles(for: catalog)
            directory = try TemporaryDirectory("browser")
            store = try SQLiteOriginStore(path: directory.file("origin.sqlite").path)
            certificates = DevelopmentCertificates(directory: directory.file("tls").path)
            try certificates.issue(hosts: ["127.0.0.1"])
        }

        deinit {
            directory.remove()
        }

        /// A browser with a fresh profile, trusting the edge's CA when `secure`.
        func browser(secure: Bool) async throws -> Chromium {
            try await Chromium(trusting: secure ? certificates.certificateAuthority : nil)
        }

        /// An origin and an edge in front of it on loopback, the edge over HTTPS with `secure`;
        /// `body` gets the edge's base URL and its cache. Both are stopped when `body` returns.
        func withEdge<Result: Sendable>(
            secure: Bool, _ body: @Sendable (_ edge: String, _ cache: EdgeCache) async throws -> Result
        ) async throws -> Result {
            let tls = secure ? try ServerTLSContext(files: certificates.files) : nil
            let origin = OriginController(store: store, publicKey: key.publicKey)
            return try await withLiveServer(origin.makeRouter()) { originPort in
                let cache = EdgeCache(
                    upstream: CurlUpstream(baseURL: "http://127.0.0.1:\(originPort)", timeout: .seconds(30)),
                    logger: .test)
                return try await withEdgeServer(EdgeResponder(cache: cache, purgeToken: nil), tls: tls) { edgePort in
                    try await body("\(secure ? "https" : "http")://127.0.0.1:\(edgePort)", cache)
                }
            }
        }

        func publish(_ workspace: Workspace, cdn: String) async throws {
            let compiler = ManifestCompiler(catalog: catalog, bundles: bundles, cdnBase: cdn)
            _ = try await Publisher(compiler: compiler, key: key, store: store).publish(workspace, now: Date())
        }

        func demoURL(_ base: String, integrations: String = "{}", events: String = "[]") -> String {
            var components = URLComponents(string: base + "/demo")!
            components.queryItems = [
                URLQueryItem(name: "writeKey", value: web.writeKey),
                URLQueryItem(name: "keyId", value: key.publicKey.keyID),
                URLQueryItem(name: "publicKey", value: key.publicKey.publicKey),
                URLQueryItem(name: "integrations", value: integrations),
                URLQueryItem(name: "events", value: events),
            ]
            return components.url!.absoluteString.replacingOccurrences(of: "+", with: "%2B")
        }
    }

    static func loaded(_ result: JSONValue) -> [String] {
        guard case .array(let names)? = result["result"]?["loaded"] else { return [] }
        return names.compactMap { if case .string(let name) = $0 { name } else { nil } }
    }

    @Test(
        "device-mode destinations load and start with their settings; the integrations option applies",
        arguments: [false, true])
    func loadsDestinations(secure: Bool) async throws {
        let stack = try Stack()
        let browser = try await stack.browser(secure: secure)
        try await stack.withEdge(secure: secure) { edge, _ in
            try await stack.publish(stack.workspace, cdn: edge)
            // Over HTTPS Chromium accepts br, so the manifest and bundles arrive compressed; the
            // signature and the SRI hashes hold over the decoded bytes.
            let result = try await browser.result(stack.demoURL(edge))
            let loaded = Self.loaded(result)
            #expect(loaded.contains("Amplitude"))
            #expect(loaded.contains("Braze Web"))
            #expect(!loaded.contains("Amplitude North America"), "cloud-mode instances are not loaded")
            #expect(result["result"]?["failed"] == [])
            guard case .array(let started)? = result["initialized"] else {
                Issue.record("no stub started")
                return
            }
            #expect(started.count == loaded.count)
            #expect(started.contains { $0["destination"] == "Amplitude" && $0["settings"]?["apiKey"] != nil })
            guard case .array(let calls)? = result["calls"] else {
                Issue.record("no calls")
                return
            }
            #expect(calls.contains { $0["method"] == "track" })

            #expect(
                !Self.loaded(
                    try await browser.result(stack.demoURL(edge, integrations: #"{"Amplitude": false}"#))
                ).contains("Amplitude"))
            #expect(
                Self.loaded(
                    try await browser.result(
                        stack.demoURL(edge, integrations: #"{"All": false, "Hotjar": true}"#))) == ["Hotjar"])
            _ = try await browser.dom(
                stack.demoURL(edge), screenshot: secure ? "browser-demo-https.png" : "browser-demo.png")
        }
    }

    @Test("a destination filter drops an event for its destination only, in the browser", arguments: [false, true])
    func filters(secure: Bool) async throws {
        let stack = try Stack()
        var filtered = stack.workspace
        let web = try #require(filtered.sources.firstIndex { $0.kind == .web })
        let amplitude = try #require(filtered.sources[web].instances.firstIndex { $0.name == "Amplitude" })
        filtered.sources[web].instances[amplitude].filters = [
            DestinationFilter(name: "No test events", condition: #"event = "Test""#, action: .drop)
        ]
        let workspace = filtered
        let browser = try await stack.browser(secure: secure)
        try await stack.withEdge(secure: secure) { edge, _ in
            try await stack.publish(workspace, cdn: edge)
            let result = try await browser.result(stack.demoURL(edge, events: #"["Test", "Order Completed"]"#))
            guard case .array(let calls)? = result["calls"] else {
                Issue.record("no calls: \(result)")
                return
            }
            func tracked(by destination: String) -> [String] {
                calls.filter { $0["destination"] == .string(destination) && $0["method"] == "track" }
                    .compactMap { if case .string(let name)? = $0["event"]?["event"] { name } else { nil } }
            }
            #expect(tracked(by: "Amplitude").contains("Order Completed"))
            #expect(!tracked(by: "Amplitude").contains("Test"))
            #expect(tracked(by: "Hotjar").contains("Test"))
            #expect(tracked(by: "Hotjar").contains("Order Completed"))
        }
    }

    @Test("a tampered manifest is refused; a bundle that fails its SRI check fails alone")
    func tampering() async throws {
        let stack = try Stack()
        let origin = OriginController(store: stack.store, publicKey: stack.key.publicKey)
        try await withLiveServer(origin.makeRouter()) { originPort in
            let cache = EdgeCache(
                upstream: CurlUpstream(baseURL: "http://127.0.0.1:\(originPort)", timeout: .seconds(30)), logger: .test)
            try await withEdgeServer(EdgeResponder(cache: cache, purgeToken: nil)) { edgePort in
                let edge = CurlUpstream(baseURL: "http://127.0.0.1:\(edgePort)", timeout: .seconds(30))
                let settings = TamperingProxy(edge: edge) { path, body in
                    if path.hasSuffix("/settings"), let index = body.firstIndex(of: UInt8(ascii: "1")) {
                        body[index] = UInt8(ascii: "2")
                    }
                }
                let scripts = TamperingProxy(edge: edge) { path, body in
                    if path.contains("/hotjar/") { body += Array("\n// changed".utf8) }
                }
                try await withLiveServer(responder: settings) { tamperedPort in
                    try await withLiveServer(responder: scripts) { scriptsPort in
                        // Manifests point their bundles at the proxy the page is served from.
                        try await stack.publish(stack.workspace, cdn: "http://127.0.0.1:\(scriptsPort)")
                        let refused = try await Chromium(trusting: nil).result(
                            stack.demoURL("http://127.0.0.1:\(tamperedPort)"))
                        #expect(refused["result"]?["refused"] == "bad signature")
                        #expect(Self.loaded(refused).isEmpty)
                        let partial = try await Chromium(trusting: nil).result(
                            stack.demoURL("http://127.0.0.1:\(scriptsPort)"))
                        #expect(partial["result"]?["failed"] == ["Hotjar"])
                        #expect(Self.loaded(partial).contains("Amplitude"))
                    }
                }
            }
        }
    }

    @Test(
        "after a publish and purge a reload shows the new list; with the edge gone, the stored manifest still starts them",
        arguments: [false, true])
    func publishAndFallback(secure: Bool) async throws {
        let stack = try Stack()
        let browser = try await stack.browser(secure: secure)
        let (edge, loadedAfter) = try await stack.withEdge(secure: secure) { edge, cache in
            try await stack.publish(stack.workspace, cdn: edge)
            let before = Self.loaded(try await browser.result(stack.demoURL(edge)))
            let changed = PropagationSimulator.change(stack.workspace, sourceID: stack.web.id, catalog: stack.catalog)
            try await stack.publish(changed, cdn: edge)
            cache.purge(.surrogateKey("writekey:\(stack.web.writeKey)"), soft: true)
            let after = try await browser.result(stack.demoURL(edge))
            #expect(after["result"]?["version"] == 2)
            #expect(Self.loaded(after).count == before.count + 1)
            return (edge, Self.loaded(after))
        }
        // The edge is gone: the page falls back to the manifest it stored, and the bundles
        // come from the browser's cache.
        let offline = try await browser.result(stack.demoURL(edge))
        #expect(offline["result"]?["source"] == "stored")
        #expect(offline["result"]?["version"] == 2)
        #expect(Self.loaded(offline) == loadedAfter)
    }
}
