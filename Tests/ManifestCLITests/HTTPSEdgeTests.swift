import Foundation
import HTTPTypes
import ManifestHTTP
import TestSupport
import Testing

/// Real `manifest` processes, with `dev-cert` certificates: an origin and a control plane
/// serving HTTPS (HTTP/1.1), an edge serving HTTPS (HTTP/2 too) that fetches from that origin
/// over HTTPS, and edges behind it that fetch from it over HTTPS with libcurl.
@Suite("HTTPS between real processes")
struct HTTPSEdgeTests {
    static let settingsPath = "/v1/projects/wk_acme_web_store_3f9a/settings"

    @Test(
        "HTTPS end to end: origin, edges and control plane; upstreams verified against --origin-ca, refused without it; SIGHUP reloads the certificate"
    )
    func httpsUpstreamAndReload() async throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let data = temporary.file("data").path
        let tls = temporary.file("tls").path
        #expect(try await ManifestProcess.run(["keygen", "--data-dir", data]) == 0)
        #expect(try await ManifestProcess.run(["publish", Fixtures.acmeFile.path, "--data-dir", data]) == 0)
        #expect(try await ManifestProcess.run(["dev-cert", "--dir", tls, "--host", "127.0.0.1"]) == 0)
        let authority = "\(tls)/ca.pem"

        let client = CurlHTTPClient(configuration: .init(timeout: .seconds(30)))
        let certificate = ["--tls-cert", "\(tls)/cert.pem", "--tls-key", "\(tls)/key.pem"]
        let origin = try ServerProcess(
            ["serve", "origin", "--data-dir", data] + certificate, port: try Self.freePort())
        defer { origin.kill() }
        try await origin.waitUntilServing(client, trusting: authority)
        let direct = try await client.execute(
            .init(url: "https://127.0.0.1:\(origin.port)\(Self.settingsPath)", trustedCAFile: authority))
        #expect(direct.status == .ok)
        #expect(direct.majorVersion == 1, "the origin offers only http/1.1 by ALPN")
        let control = try ServerProcess(
            ["serve", "control", "--data-dir", data] + certificate, port: try Self.freePort())
        defer { control.kill() }
        try await control.waitUntilServing(client, trusting: authority)

        let secure = try ServerProcess(
            [
                "serve", "edge", "--origin", "https://127.0.0.1:\(origin.port)", "--origin-ca", authority,
                "--name", "secure-edge",
            ] + certificate, port: try Self.freePort())
        defer { secure.kill() }
        try await secure.waitUntilServing(client, trusting: authority)
        let verified = try ServerProcess(
            ["serve", "edge", "--origin", "https://127.0.0.1:\(secure.port)", "--origin-ca", authority],
            port: try Self.freePort())
        defer { verified.kill() }
        let unverified = try ServerProcess(
            ["serve", "edge", "--origin", "https://127.0.0.1:\(secure.port)", "--no-invalidation-stream"],
            port: try Self.freePort())
        defer { unverified.kill() }
        try await verified.waitUntilServing(client)
        try await unverified.waitUntilServing(client)

        let through = try await client.execute(.init(url: "http://127.0.0.1:\(verified.port)\(Self.settingsPath)"))
        #expect(through.status == .ok)
        #expect(through.headerFields[values: .cacheStatus].joined().contains("secure-edge"))
        let refused = try await client.execute(.init(url: "http://127.0.0.1:\(unverified.port)\(Self.settingsPath)"))
        #expect(refused.status == .badGateway)

        // A renewal from another CA: after SIGHUP new connections get it, and the process stays up.
        let renewed = temporary.file("renewed").path
        #expect(try await ManifestProcess.run(["dev-cert", "--dir", renewed, "--host", "127.0.0.1"]) == 0)
        for file in ["cert.pem", "key.pem"] {
            try Data(contentsOf: URL(fileURLWithPath: "\(renewed)/\(file)"))
                .write(to: URL(fileURLWithPath: "\(tls)/\(file)"))
        }
        secure.signal(SIGHUP)
        try await secure.waitUntilServing(Self.freshClient(), trusting: "\(renewed)/ca.pem")
        await #expect {
            try await Self.freshClient().execute(
                .init(url: "https://127.0.0.1:\(secure.port)/healthz", trustedCAFile: authority))
        } throws: { error in
            (error as? CurlError)?.code == 60  // the certificate did not verify
        }
        #expect(secure.process.isRunning)
    }

    /// A client with no connection open yet, patient on a loaded machine.
    private static func freshClient() -> CurlHTTPClient {
        CurlHTTPClient(configuration: .init(timeout: .seconds(30), connectTimeout: .seconds(30)))
    }

    private static func freePort() throws -> Int {
        try SilentListener(listening: false).port
    }
}
