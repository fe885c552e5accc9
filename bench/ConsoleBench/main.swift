// Console page-render benchmark: every console page of a workspace with many sources and the
// whole catalog, fetched over loopback with libcurl, against /healthz on the same server as the
// baseline (the cost of an HTTP round trip with nothing rendered). Run from the repository root:
//   bench/console.sh [sources] [rounds]
import Foundation
import HTTPTypes
import Logging
import ManifestBuilder
import ManifestControl
import ManifestHTTP
import ServiceLifecycle

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 1 else {
    print("usage: ConsoleBench WORKSPACE.json [rounds]")
    exit(64)
}
let rounds = arguments.count > 1 ? Int(arguments[1]) ?? 50 : 50
var logger = Logger(label: "console-bench")
logger.logLevel = .critical

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("console-bench-\(UUID().uuidString)")
defer { try? FileManager.default.removeItem(at: directory) }
let catalog = try InputDocument.load(Catalog.self, from: URL(fileURLWithPath: "fixtures/catalog.json"))
let data = ControlDataDirectory(url: directory)
let (store, secrets) = try data.openStore(catalog: catalog)
let bundles = try BundleSet.load(catalog: catalog, from: URL(fileURLWithPath: "fixtures/sdk", isDirectory: true))
let publisher = try data.livePublisher(
    store: store, compiler: ManifestCompiler(catalog: catalog, bundles: bundles, cdnBase: "http://127.0.0.1:1"),
    key: SigningKey(), logger: logger)
let imported = try await WorkspaceTransfer(store: store, catalog: catalog)
    .importWorkspace(try Data(contentsOf: URL(fileURLWithPath: arguments[0])), file: arguments[0], actor: "bench")
let workspace = imported.workspace
_ = try await publisher.republishAll()
let token = try await TokenService(store: store).create(
    workspace: workspace.id, scope: .write, name: "bench", now: Date()
).1

let plane = try ControlPlane(store: store, catalog: catalog, secrets: secrets, publisher: publisher, logger: logger)
let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
let app = plane.makeApplication { continuation.yield($0.localAddress?.port ?? 0) }
let group = ServiceGroup(services: [app], logger: logger)
let serving = Task { try await group.run() }
let port = await ports.first { _ in true } ?? 0
let base = "http://127.0.0.1:\(port)"
let client = CurlHTTPClient(configuration: .init(timeout: .seconds(30)))

// Sign in as a browser would; keep the session cookie.
let signIn = try await client.execute(
    .init(
        method: .post, url: base + "/console/sign-in",
        headerFields: [.contentType: "application/x-www-form-urlencoded"], body: Array("token=\(token)".utf8)))
guard let cookie = signIn.headerFields[.setCookie]?.split(separator: ";").first.map(String.init) else {
    print("sign-in failed: HTTP \(signIn.status.code)")
    exit(1)
}

let middle = workspace.sources[workspace.sources.count / 2]
let instance = middle.instances[0]
let ws = "/console/w/\(workspace.id)"
let pages: [(String, String)] = [
    ("baseline: /healthz", "/healthz"),
    ("sources (all \(workspace.sources.count))", "\(ws)/sources"),
    ("catalog, search + panel", "\(ws)/catalog?tab=destinations&q=am&selected=amplitude"),
    ("catalog, sources tab", "\(ws)/catalog?tab=sources"),
    ("configure: select a source", "\(ws)/catalog/destinations/webhooks"),
    ("source page", "\(ws)/sources/\(middle.id)"),
    ("add destination (search)", "\(ws)/sources/\(middle.id)/add?q=a"),
    ("connection settings form", "\(ws)/sources/\(middle.id)/connect/webhooks"),
    ("destination settings page", "\(ws)/sources/\(middle.id)/destinations/\(instance.id)"),
    ("manifest view", "\(ws)/sources/\(middle.id)/manifest"),
]

func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
    sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
}

print(
    "console pages, \(workspace.sources.count) sources, \(catalog.destinations.count) catalog destinations, "
        + "\(rounds) requests each (ms):")
print("page                              p50      p99      max    bytes   p50/baseline")
var baseline = 0.0
for (name, path) in pages {
    var times: [Double] = []
    var bytes = 0
    for round in 0..<(rounds + 3) {
        let started = ContinuousClock.now
        let response = try await client.execute(.init(url: base + path, headerFields: [.cookie: cookie]))
        let elapsed = ContinuousClock.now - started
        guard response.status == .ok else {
            print("\(path): HTTP \(response.status.code)")
            exit(1)
        }
        bytes = response.body.count
        if round >= 3 {
            times.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1e3)
        }
    }
    times.sort()
    let p50 = percentile(times, 0.5)
    if baseline == 0 { baseline = p50 }
    print(
        name.padding(toLength: 32, withPad: " ", startingAt: 0)
            + String(
                format: " %7.2f  %7.2f  %7.2f  %7d   %6.1f", p50, percentile(times, 0.99), times.last!, bytes,
                p50 / baseline))
}
await client.shutdown()
await group.triggerGracefulShutdown()
_ = try? await serving.value
