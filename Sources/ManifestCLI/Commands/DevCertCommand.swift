import ArgumentParser
import ManifestTLS

struct DevCertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-cert",
        abstract: "Make a local certificate authority and a server certificate, for HTTPS in development.",
        discussion: """
            Writes DIR/ca.pem (trust it in the browser or client), DIR/cert.pem and DIR/key.pem (give them to \
            `serve edge --tls-cert --tls-key`). The CA is made once per directory and reused, so a browser \
            that trusts it keeps trusting later certificates. Not for production: the CA's key is kept \
            unencrypted in DIR/ca-key.pem.
            """
    )

    @Option(help: "Where the files go.")
    var dir = ".manifest/tls"

    @Option(name: .customLong("host"), help: "A name or IP address the certificate is for (repeatable).")
    var hosts: [String] = ["localhost", "127.0.0.1", "::1"]

    @Option(help: "Days the server certificate is valid.")
    var days = 90

    func validate() throws {
        try OptionChecks.require(days, in: 1...825, "--days")
        guard !hosts.isEmpty else { throw ValidationError("give at least one --host") }
    }

    func run() throws {
        let certificates = DevelopmentCertificates(directory: dir)
        let files: TLSFiles
        do {
            files = try certificates.issue(hosts: hosts, days: days)
        } catch {
            throw UnusableInput("cannot write the certificates in \(dir): \(error)")
        }
        print("CA (trust this):   \(certificates.certificateAuthority)")
        print("certificate:       \(files.certificateChain)")
        print("private key:       \(files.privateKey)")
        print("for:               \(hosts.joined(separator: ", "))")
    }
}
