import ArgumentParser
import Foundation
import ManifestBuilder
import ManifestHTTP
import ManifestSimulation

struct ClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Load a page as a simulated Analytics.js client through an edge, and print what it saw."
    )

    @Option(help: "The edge (or origin) base URL.")
    var edge: String

    @Option(help: "The source's write key.")
    var writeKey: String

    @Option(help: "The public key file that verifies Manifest-Signature.")
    var publicKey: String = ".manifest/signing-key.pub.json"

    @Option(help: "The CDN base the manifests' bundle URLs start with (the --cdn-url they were published with).")
    var cdnUrl: String = "http://127.0.0.1:8080"

    @Option(help: "Page loads to make.")
    var loads = 1

    @Option(help: "Seconds between page loads.")
    var interval = 1.0

    @Option(help: "The page's integrations option as JSON, such as '{\"All\": false, \"Amplitude\": true}'.")
    var integrations = "{}"

    @Flag(help: "Do not keep a browser HTTP cache between loads.")
    var noBrowserCache = false

    func validate() throws {
        try OptionChecks.require(loads, in: 1...1_000_000, "--loads")
        try OptionChecks.require(interval, in: 0...86_400, "--interval")
    }

    func run() async throws {
        let key = try readPublicKeyFile(at: publicKey)
        guard let option = try? JSONDecoder().decode([String: JSONValue].self, from: Data(integrations.utf8)) else {
            throw ValidationError("--integrations is not a JSON object: \(integrations)")
        }
        let client = AnalyticsClient(
            writeKey: writeKey, fetcher: CurlUpstream(baseURL: edge, timeout: .seconds(5)),
            verifier: ManifestVerifier(keys: [key]), clock: SystemClock(), cdnBase: cdnUrl,
            useBrowserCache: !noBrowserCache, pageIntegrations: option)
        for index in 0..<max(1, loads) {
            if index > 0 { try await Task.sleep(for: .seconds(interval)) }
            let load = await client.loadPage()
            let source = load.fromBrowserCache ? " (browser cache)" : ""
            switch load.outcome {
            case .loaded:
                print(
                    "\(ManifestTime.format(load.time)) v\(load.version ?? 0)\(source): \(load.destinations.joined(separator: ", "))"
                        + (load.failedBundles.isEmpty
                            ? "" : "; bundles failed: \(load.failedBundles.joined(separator: ", "))"))
            case .fetchFailed(let reason): print("\(ManifestTime.format(load.time)) settings fetch failed: \(reason)")
            case .refused(let reason): print("\(ManifestTime.format(load.time)) refused: \(reason)")
            }
        }
    }
}
