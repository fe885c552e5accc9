import ArgumentParser
import Foundation
import ManifestBuilder

/// Where the origin store and the signing key live.
struct DataDirectoryOptions: ParsableArguments {
    @Option(name: .long, help: "Directory holding origin.sqlite and the signing key.")
    var dataDir: String = ".manifest"

    var directory: URL { URL(fileURLWithPath: dataDir, isDirectory: true) }
    var privateKeyFile: URL { directory.appendingPathComponent("signing-key.json") }
    var publicKeyFile: URL { directory.appendingPathComponent("signing-key.pub.json") }
    var storeFile: URL { directory.appendingPathComponent("origin.sqlite") }

    func openStore() throws -> SQLiteOriginStore {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try SQLiteOriginStore(path: storeFile.path, beforeCommit: FaultInjection.beforeCommit)
    }

    func loadKey() throws -> SigningKey {
        guard let data = FileManager.default.contents(atPath: privateKeyFile.path) else {
            throw fail("no signing key at \(privateKeyFile.relativePath): run `manifest keygen --data-dir \(dataDir)` first")
        }
        do {
            return try SigningKey(fileContents: data)
        } catch {
            throw fail("\(privateKeyFile.relativePath): \(error)")
        }
    }
}

/// Test-only faults, switched on by the environment so that a test can kill a real publisher
/// process at a known point. `MANIFEST_FAULT=hang-before-commit` holds the publish transaction
/// open (after announcing it on standard error) until the process is killed.
enum FaultInjection {
    static let beforeCommit: @Sendable () -> Void = {
        guard ProcessInfo.processInfo.environment["MANIFEST_FAULT"] == "hang-before-commit" else { return }
        FileHandle.standardError.write(Data("fault: holding the publish transaction open\n".utf8))
        while true { pause() }
    }
}
