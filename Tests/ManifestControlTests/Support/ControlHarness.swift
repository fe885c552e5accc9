import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

@testable import ManifestBuilder
@testable import ManifestControl

/// A control plane on 127.0.0.1 with everything in a temporary data directory: its state and
/// the origin store share `origin.sqlite`, as in production; logs are captured in memory.
struct ControlHarness: Sendable {
    let directory: URL
    let store: SQLiteWorkspaceStateStore
    let origin: SQLiteOriginStore
    let publisher: LivePublisher
    let secrets: SecretsKey
    let signingKey: SigningKey
    let logs: CapturedLogs
    let plane: ControlPlane
    let transfer: WorkspaceTransfer

    init(
        directory: URL, limits: ControlPlane.Limits = .init(), busyTimeout: TimeInterval = 5,
        wrapOrigin: (SQLiteOriginStore) -> any OriginStore = { $0 }, edges: (any EdgeProgressSource)? = nil,
        signingKey: SigningKey = SigningKey(), cdnBase: String = "http://127.0.0.1:1"
    ) throws {
        self.directory = directory
        let catalog = Fixtures.catalog
        secrets = try SecretsKey.loadOrCreate(in: directory)
        let path = directory.appendingPathComponent("origin.sqlite").path
        store = try SQLiteWorkspaceStateStore(
            path: path, sealer: WorkspaceSealer(catalog: catalog, key: secrets), busyTimeout: busyTimeout)
        origin = try SQLiteOriginStore(path: path)
        logs = CapturedLogs()
        let compiler = ManifestCompiler(
            catalog: catalog, bundles: try BundleSet.load(catalog: catalog, from: Fixtures.sdkURL),
            cdnBase: cdnBase)
        let clock: @Sendable () -> Date = { Date(timeIntervalSince1970: 1_800_000_000) }
        self.signingKey = signingKey
        publisher = LivePublisher(
            publisher: Publisher(compiler: compiler, key: signingKey, store: wrapOrigin(origin)), store: store,
            logger: logs.logger(), now: clock)
        plane = try ControlPlane(
            store: store, catalog: catalog, secrets: secrets, publisher: publisher,
            logger: logs.logger(), limits: limits, now: clock, edges: edges)
        transfer = WorkspaceTransfer(store: store, catalog: catalog)
    }

    /// Imports a workspace as the CLI would.
    @discardableResult
    func load(_ workspace: Workspace) async throws -> StoredWorkspace {
        let data = try JSONEncoder().encode(workspace)
        return try await transfer.importWorkspace(data, file: "test.json", actor: "test")
    }

    /// The database file and its write-ahead log, as a thief copying the data directory
    /// (without the key file) would get them.
    func databaseBytes() -> Data {
        let base = directory.appendingPathComponent("origin.sqlite").path
        return [base, base + "-wal"].reduce(into: Data()) { bytes, path in
            if let contents = FileManager.default.contents(atPath: path) { bytes.append(contents) }
        }
    }

    func token(_ scope: TokenScope, workspace: String, name: String = "ops") async throws -> String {
        try await TokenService(store: store).create(workspace: workspace, scope: scope, name: name, now: Date()).1
    }
}

/// Runs `body` against a fresh control plane serving on 127.0.0.1, then stops it and deletes
/// its data directory.
@discardableResult
func withControlPlane<T: Sendable>(
    loading workspaces: [Workspace] = [Fixtures.acme, Fixtures.rules], limits: ControlPlane.Limits = .init(),
    busyTimeout: TimeInterval = 5, wrapOrigin: (SQLiteOriginStore) -> any OriginStore = { $0 },
    edges: (any EdgeProgressSource)? = nil,
    _ body: @Sendable (ControlHarness, APIClient) async throws -> T
) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("control-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let harness = try ControlHarness(
        directory: directory, limits: limits, busyTimeout: busyTimeout, wrapOrigin: wrapOrigin, edges: edges)
    for workspace in workspaces { try await harness.load(workspace) }
    // What `manifest serve control` does on start: every source is published.
    _ = try await harness.publisher.republishAll()
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = harness.plane.makeApplication { continuation.yield($0.localAddress?.port ?? 0) }
    let group = ServiceGroup(services: [app], logger: harness.logs.logger())
    let task = Task { try await group.run() }
    var iterator = ports.makeAsyncIterator()
    let port = await iterator.next() ?? 0
    do {
        let result = try await body(harness, APIClient(port: port, token: nil))
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        return result
    } catch {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        throw error
    }
}
