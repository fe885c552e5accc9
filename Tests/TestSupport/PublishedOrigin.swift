import Foundation
import HTTPTypes
import ManifestBuilder
import ManifestHTTP
import ManifestOrigin
import Testing

/// A real SQLite origin store in a fresh temporary directory, filled by a real `Publisher` from
/// a small catalog: one classic and one Actions device-mode destination on one web source.
package final class PublishedOrigin: Sendable {
    package static let writeKey = "wk_origin_web"
    package static let settingsPath = "/v1/projects/\(writeKey)/settings"
    /// 2027-01-15T08:00:00Z; no test reads the wall clock.
    package static let start = Date(timeIntervalSince1970: 1_800_000_000)

    package static let catalog: Catalog = {
        let settings = [
            SettingField(name: "apiKey", type: .string, required: true),
            SettingField(name: "secretKey", type: .string, secret: true),
            SettingField(name: "trackPages", type: .boolean),
        ]
        return try! Catalog(destinations: [
            CatalogDestination(
                id: "amplitude", name: "Amplitude", family: .classic, modes: [.cloud, .device], multiInstance: true,
                settings: settings, bundle: DeviceBundle(version: "2.92.0")),
            CatalogDestination(
                id: "braze-web", name: "Braze Web Mode (Actions)", family: .actions, modes: [.device],
                multiInstance: false, settings: settings,
                bundle: DeviceBundle(version: "1.0.0", directory: "braze", libraryName: "brazeDestination")),
        ])
    }()
    package static let bundles = try! BundleSet(
        catalog: catalog,
        stubs: [
            "amplitude": Array("window.amplitudeDeps = []; window.__manifestStubs = ['amplitude'];\n".utf8),
            "braze-web": Array("window.brazeDestination = function () { return []; };\n".utf8),
        ])

    package let store: SQLiteOriginStore
    package let key = SigningKey()
    private let directory: TemporaryDirectory

    private init(directory: TemporaryDirectory) throws {
        self.directory = directory
        self.store = try SQLiteOriginStore(path: directory.file("origin.sqlite").path)
    }

    deinit {
        directory.remove()
    }

    package static func make() async throws -> PublishedOrigin {
        let origin = try PublishedOrigin(directory: TemporaryDirectory("origin-tests"))
        try await origin.publish(trackPages: true, at: start)
        return origin
    }

    package func publish(trackPages: Bool, at now: Date) async throws {
        let compiler = ManifestCompiler(catalog: Self.catalog, bundles: Self.bundles, cdnBase: "http://127.0.0.1:1")
        let workspace = Workspace(
            id: "ws_origin", name: "Origin Tests",
            sources: [
                Source(
                    id: "web", name: "Web", kind: .web, writeKey: Self.writeKey,
                    instances: [
                        DestinationInstance(
                            id: "amp", destination: "Amplitude", mode: .device,
                            settings: [
                                "apiKey": "amp-public", "secretKey": "amp-SECRET", "trackPages": .bool(trackPages),
                            ]),
                        DestinationInstance(
                            id: "braze", name: "Braze EU", destination: "Braze Web Mode (Actions)", mode: .device,
                            settings: ["apiKey": "braze-public"]),
                    ])
            ])
        let result = try await Publisher(compiler: compiler, key: key, store: store).publish(workspace, now: now)
        #expect(result.changes.map(\.writeKey) == [Self.writeKey])
    }

    /// Runs the origin on a loopback port for `body`.
    package func serve(_ body: @Sendable (Fetcher) async throws -> Void) async throws {
        let server = OriginController(store: store, publicKey: key.publicKey, workspaceID: "ws_origin")
        try await withLiveServer(server.makeRouter()) { port in try await body(Fetcher(port: port)) }
    }
}

/// Fetches paths from the origin on a loopback port with libcurl.
package struct Fetcher: Sendable {
    package let port: Int
    /// 30 s: on a loaded two-core machine a loopback answer can take seconds; the tests are
    /// about what comes back, not how fast.
    package let client = CurlHTTPClient(configuration: .init(timeout: .seconds(30), connectTimeout: .seconds(10)))

    package init(port: Int) {
        self.port = port
    }

    package func callAsFunction(
        _ path: String, method: HTTPRequest.Method = .get, headers: HTTPFields = [:]
    ) async throws -> CurlHTTPClient.Response {
        try await client.execute(.init(method: method, url: "http://127.0.0.1:\(port)\(path)", headerFields: headers))
    }
}
