import Foundation
import ManifestHTTP
import TestSupport

/// A `manifest serve ...` process on a given port, stopped (SIGKILL) by the test.
final class ServerProcess: Sendable {
    let process: Process
    let port: Int

    init(_ arguments: [String], port: Int) throws {
        self.port = port
        (process, _) = try ManifestProcess.start(arguments + ["--port", "\(port)", "--log-level", "error"])
    }

    /// Returns once `/healthz` answers 200: over HTTPS when `trusting` gives the CA to verify with.
    func waitUntilServing(_ client: CurlHTTPClient, trusting authority: String? = nil) async throws {
        let url = "\(authority == nil ? "http" : "https")://127.0.0.1:\(port)/healthz"
        try await withTimeLimit {
            while (try? await client.execute(.init(url: url, trustedCAFile: authority)))?.status != .ok {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    func signal(_ number: Int32) {
        Foundation.kill(process.processIdentifier, number)
    }

    func kill() {
        signal(SIGKILL)
        process.waitUntilExit()
    }
}
