import Logging
import NIOSSL
import Synchronization

/// The TLS context a server hands to each new connection, replaceable while the server runs.
///
/// `reload()` reads the certificate and key again (after a renewal, on SIGHUP): connections
/// accepted afterwards use the new ones, connections already open keep theirs, so nothing is
/// dropped. A reload that fails (a half-written file, a key that does not match) keeps the
/// context in use and throws, so a bad renewal never takes the server down.
///
/// Offers TLS 1.2 and 1.3 only, BoringSSL's default AEAD cipher suites with forward secrecy, and
/// the application protocols given (ALPN), in order of preference.
///
/// Behind a `Mutex`: read once per accepted connection, written only on reload.
public final class ServerTLSContext: Sendable {
    public let files: TLSFiles
    public let applicationProtocols: [String]
    private let current: Mutex<NIOSSLContext>

    /// Loads `files`; throws `TLSFilesError` naming the file that cannot be used and why.
    public init(files: TLSFiles, applicationProtocols: [String] = ["h2", "http/1.1"]) throws {
        self.files = files
        self.applicationProtocols = applicationProtocols
        self.current = Mutex(try Self.load(files, applicationProtocols: applicationProtocols))
    }

    /// The context for a connection accepted now.
    public var context: NIOSSLContext {
        current.withLock { $0 }
    }

    /// Reads the files again and uses them for the connections accepted from now on.
    public func reload() throws {
        let loaded = try Self.load(files, applicationProtocols: applicationProtocols)
        current.withLock { $0 = loaded }
    }

    /// `reload()`, logged: for a signal handler, where there is nobody to throw to.
    public func reload(logger: Logger) {
        do {
            try reload()
            logger.info("TLS certificate reloaded", metadata: ["certificate": "\(files.certificateChain)"])
        } catch {
            logger.error("TLS certificate not reloaded; the previous one stays in use", metadata: ["error": "\(error)"])
        }
    }

    private static func load(_ files: TLSFiles, applicationProtocols: [String]) throws -> NIOSSLContext {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(files.certificateChain)
        } catch {
            throw TLSFilesError(path: files.certificateChain, reason: "not a PEM certificate chain (\(error))")
        }
        guard !chain.isEmpty else {
            throw TLSFilesError(path: files.certificateChain, reason: "no certificate in the file")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: files.privateKey, format: .pem)
        } catch {
            throw TLSFilesError(path: files.privateKey, reason: "not a PEM private key (\(error))")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = applicationProtocols
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSFilesError(
                path: files.privateKey, reason: "does not match the certificate in \(files.certificateChain) (\(error))"
            )
        }
    }
}
