// Control-plane propagation benchmark: a PATCH through the Config API (toggle a device-mode
// destination) until every loopback edge serves the version it answered with. Edges follow
// the origin's invalidation stream, as `manifest serve edge` does. Run from the repository root:
//   swift run -c release ControlBench [rounds] [edges]
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import ManifestBuilder
import ManifestControl
import ManifestEdge
import ManifestHTTP
import ManifestSimulation
import NIOCore
import ServiceLifecycle

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let rounds = arguments.first ?? 100
let edgeCount = arguments.dropFirst().first ?? 2
var logger = Logger(label: "control-bench")
logger.logLevel = .critical

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("control-bench-\(UUID().uuidString)")
defer { try? FileManager.default.removeItem(at: directory) }
let catalog = try InputDocument.load(Catalog.self, from: URL(fileURLWithPath: "fixtures/catalog.json"))
let data = ControlDataDirectory(url: directory)
let (store, secrets) = try data.openStore(catalog: catalog)
let key = SigningKey()
let bundles = try BundleSet.load(catalog: catalog, from: URL(fileURLWithPath: "fixtures/sdk", isDirectory: true))
let publisher = try data.livePublisher(
    store: store, compiler: ManifestCompiler(catalog: catalog, bundles: bundles, cdnBase: "http://127.0.0.1:1"),
    key: key,
    logger: logger)
_ = try await WorkspaceTransfer(store: store, catalog: catalog)
    .importWorkspace(
        try Data(contentsOf: URL(fileURLWithPath: "fixtures/workspaces/acme.json")), file: "acme.json", actor: "bench")
_ = try await publisher.republishAll()
let token = try await TokenService(store: store).create(workspace: "ws_acme", scope: .write, name: "bench", now: Date())
    .1

let plane = try ControlPlane(store: store, catalog: catalog, secrets: secrets, publisher: publisher, logger: logger)
let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
let app = plane.makeApplication { continuation.yield($0.localAddress?.port ?? 0) }
let group = ServiceGroup(services: [app], logger: logger)
let serving = Task { try await group.run() }
let port = await ports.first { _ in true } ?? 0
let deployment = try await LoopbackDeployment.start(
    store: try SQLiteOriginStore(path: data.databaseFile.path), publicKey: key.publicKey, edges: edgeCount,
    logger: logger)

let writeKey = "wk_acme_web_store_3f9a"
let path = "/v1/workspaces/ws_acme/sources/src_acme_web_store/destinations/di_acme_store_hotjar"
let edges = deployment.edgePorts.map { CurlUpstream(baseURL: "http://127.0.0.1:\($0)") }

func patch(enabled: Bool) async throws -> Int {
    let body = ByteBuffer(string: "{\"enabled\":\(enabled)}")
    let request = TestClient.Request(
        path, method: .patch, authority: "127.0.0.1",
        headers: [.authorization: "Bearer \(token)", .contentType: "application/json"], body: body)
    let response = try await TestClient.withClient(host: "127.0.0.1", port: port) { try await $0.execute(request) }
    let reply = try JSONDecoder().decode(
        JSONValue.self, from: Data(response.body.map { Array($0.readableBytesView) } ?? []))
    guard case .int(let version)? = reply["manifest"]?["version"] else { throw CancellationError() }
    return version
}

func waitForEdges(version: Int) async throws {
    for edge in edges {
        while true {
            let response = try await edge.fetch("/v1/projects/\(writeKey)/settings", headerFields: [:])
            if let served = response.headerFields[HTTPField.Name("Manifest-Version")!].flatMap(Int.init),
                served >= version
            {
                break
            }
            await Task.yield()
        }
    }
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

try await waitForEdges(version: try await patch(enabled: true))
var total: [Double] = []
var writes: [Double] = []
for round in 0..<rounds {
    let start = ContinuousClock.now
    let version = try await patch(enabled: round % 2 == 1)
    writes.append(milliseconds(ContinuousClock.now - start))
    try await waitForEdges(version: version)
    total.append(milliseconds(ContinuousClock.now - start))
}
func summary(_ values: [Double]) -> String {
    let sorted = values.sorted()
    func at(_ fraction: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))] }
    return String(
        format: "p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms", at(0.5), at(0.9), at(0.99), sorted.last!)
}
print("rounds: \(rounds), edges: \(edgeCount)")
print("API write (PATCH, validate, save, publish):      \(summary(writes))")
print("API write -> every edge serving the new version: \(summary(total))")
await deployment.stop()
await group.triggerGracefulShutdown()
_ = try? await serving.value
