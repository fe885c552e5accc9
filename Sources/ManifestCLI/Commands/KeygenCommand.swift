import ArgumentParser
import Foundation
import ManifestBuilder

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Write a new Ed25519 signing key pair into the data directory."
    )

    @OptionGroup var data: DataDirectoryOptions

    @Flag(help: "Replace an existing key (clients that pinned the old public key will refuse new manifests).")
    var force = false

    func run() throws {
        if !force && FileManager.default.fileExists(atPath: data.privateKeyFile.path) {
            throw ValidationError("\(data.privateKeyFile.relativePath) exists; pass --force to replace it")
        }
        try FileManager.default.createDirectory(at: data.directory, withIntermediateDirectories: true)
        let key = SigningKey()
        try key.fileContents().write(to: data.privateKeyFile)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: data.privateKeyFile.path)
        try key.publicKey.fileContents().write(to: data.publicKeyFile)
        print(
            "wrote \(data.privateKeyFile.relativePath) and \(data.publicKeyFile.relativePath) (key id \(key.publicKey.keyID))"
        )
    }
}
