import ArgumentParser
import Foundation
import ManifestBuilder

/// Where the stores and the keys live.
struct DataDirectoryOptions: ParsableArguments {
    @Option(name: .long, help: "Directory holding origin.sqlite, the signing key and the secrets key.")
    var dataDir: String = ".manifest"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A PostgreSQL database for the origin and control-plane state instead of origin.sqlite.",
            discussion: "postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require]; "
                + "also read from MANIFEST_STORE.",
            valueName: "url"))
    var store: String?

    var directory: URL { URL(fileURLWithPath: dataDir, isDirectory: true) }
    var privateKeyFile: URL { directory.appendingPathComponent("signing-key.json") }
    var publicKeyFile: URL { directory.appendingPathComponent("signing-key.pub.json") }
    var storeFile: URL { directory.appendingPathComponent("origin.sqlite") }

    func loadKey() throws(UnusableInput) -> SigningKey {
        guard let data = FileManager.default.contents(atPath: privateKeyFile.path) else {
            throw UnusableInput(
                "no signing key at \(privateKeyFile.relativePath): run `manifest keygen --data-dir \(dataDir)` first")
        }
        do {
            return try SigningKey(fileContents: data)
        } catch {
            throw UnusableInput("\(privateKeyFile.relativePath): \(error)")
        }
    }

    func loadPublicKey() throws(UnusableInput) -> PublicSigningKey {
        try readPublicKeyFile(at: publicKeyFile.path, hint: "run `manifest keygen --data-dir \(dataDir)` first")
    }
}

/// The public key in the file at `path` (`signing-key.pub.json`), or what is wrong with it.
func readPublicKeyFile(at path: String, hint: String = "") throws(UnusableInput) -> PublicSigningKey {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw UnusableInput("no public key at \(path)" + (hint.isEmpty ? "" : ": \(hint)"))
    }
    do {
        return try JSONDecoder().decode(PublicSigningKey.self, from: data)
    } catch {
        throw UnusableInput("\(path) is not a public signing key file")
    }
}
