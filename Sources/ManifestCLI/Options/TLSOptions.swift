import ArgumentParser
import Logging
import ManifestTLS

/// A server's certificate and key, for HTTPS (and HTTP/2 by ALPN).
struct TLSOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "PEM certificate chain (leaf first) to serve HTTPS with (the edge: HTTP/2 too); needs --tls-key.",
            discussion: "Send the process SIGHUP to reload both files after a renewal: new connections get the "
                + "new certificate, open ones keep theirs. `manifest dev-cert` makes a local CA and certificate."))
    var tlsCert: String?

    @Option(help: "PEM private key of --tls-cert.")
    var tlsKey: String?

    func validate() throws {
        guard (tlsCert == nil) == (tlsKey == nil) else {
            throw ValidationError("give --tls-cert and --tls-key together")
        }
    }

    /// The context to serve with, offering `applicationProtocols` by ALPN, or nil for plain HTTP;
    /// a file that cannot be used is `UnusableInput`.
    func context(applicationProtocols: [String] = ["h2", "http/1.1"]) throws -> ServerTLSContext? {
        guard let tlsCert, let tlsKey else { return nil }
        do {
            return try ServerTLSContext(
                files: TLSFiles(certificateChain: tlsCert, privateKey: tlsKey),
                applicationProtocols: applicationProtocols)
        } catch {
            throw UnusableInput("\(error)")
        }
    }
}
