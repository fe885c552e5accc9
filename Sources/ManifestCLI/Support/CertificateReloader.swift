import Logging
import ManifestTLS
import ServiceLifecycle
import UnixSignals

/// Reloads a server's certificate and key on SIGHUP, the usual signal for "read your files
/// again" (nginx, HAProxy): a renewal is picked up without a restart or a dropped connection.
struct CertificateReloader: Service {
    let tls: ServerTLSContext
    let logger: Logger

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            tls.reload(logger: logger)
        }
    }
}
