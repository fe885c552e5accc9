import Foundation
import TestSupport
import Testing

@testable import ManifestBuilder

/// Runs the real `manifest` executable, which `swift test` builds beside the test bundle.
struct ManifestProcess {
    static var executable: URL {
        Bundle.main.bundleURL.appendingPathComponent("manifest")
    }

    /// Starts `manifest arguments...`; standard error is returned as a pipe to read from.
    static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // A watchdog, so that a child that never reaches its fault point cannot hang the suite.
        DispatchQueue.global().asyncAfter(deadline: .now() + 120) { [process] in
            if process.isRunning { process.terminate() }
        }
        return (process, errors)
    }

    /// Runs `manifest arguments...` to its end, waiting on a thread of its own: a wait must not
    /// hold one of the concurrency pool's two threads, which the rest of the suite needs.
    static func run(_ arguments: [String]) async throws -> Int32 {
        let (process, _) = try start(arguments)
        return await waitForExit(process)
    }

    /// Waits for `process` on a thread of its own; returns its status.
    @discardableResult
    static func waitForExit(_ process: Process) async -> Int32 {
        await onOwnThread {
            process.waitUntilExit()
            return process.terminationStatus
        }
    }
}

@Suite("A publisher killed mid-publish", .postgresCluster)
struct PublishCrashTests {
    @Test("leaves the previous versions intact and the store usable", arguments: StoreKind.allCases)
    func killedPublisher(kind: StoreKind) async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: ManifestProcess.executable.path),
            "build the manifest executable first (swift build)")
        let location = try await kind.location()
        defer { location.remove() }
        let directory = location.directory.url
        let data = directory.appendingPathComponent("data")
        let sdk = directory.appendingPathComponent("sdk")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: sdk, withIntermediateDirectories: true)
        let key = SigningKey()
        try key.fileContents().write(to: data.appendingPathComponent("signing-key.json"))
        for (id, bytes) in TestCatalog.stubs { try Data(bytes).write(to: sdk.appendingPathComponent("\(id).js")) }
        let catalogFile = directory.appendingPathComponent("catalog.json")
        try JSONEncoder().encode(TestCatalog.catalog).write(to: catalogFile)

        func publish(_ ws: Workspace, fault: Bool) throws -> (Process, Pipe) {
            let file = directory.appendingPathComponent("workspace-\(UUID().uuidString).json")
            try JSONEncoder().encode(ws).write(to: file)
            return try ManifestProcess.start(
                ["publish", file.path, "--catalog", catalogFile.path, "--sdk-dir", sdk.path, "--data-dir", data.path]
                    + (location.url.map { ["--store", $0] } ?? []),
                environment: fault ? ["MANIFEST_FAULT": "hang-before-commit"] : [:])
        }

        let original = workspace(storefront)
        let (first, _) = try publish(original, fault: false)
        await ManifestProcess.waitForExit(first)
        #expect(first.terminationStatus == 0)

        var changed = original
        changed.sources[0].instances[0].settings["trackPages"] = false
        let (doomed, errors) = try publish(changed, fault: true)
        let announced = await onOwnThread {
            var announced = ""
            while !announced.contains("holding the publish transaction open") {
                let chunk = errors.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                announced += String(decoding: chunk, as: UTF8.self)
            }
            return announced
        }
        #expect(announced.contains("holding the publish transaction open"))
        kill(doomed.processIdentifier, SIGKILL)
        await ManifestProcess.waitForExit(doomed)
        #expect(doomed.terminationReason == .uncaughtSignal)

        let store: any OriginStore =
            switch kind {
            case .sqlite: try SQLiteOriginStore(path: data.appendingPathComponent("origin.sqlite").path)
            case .postgres: try await location.originStore()
            }
        #expect(try await store.history(writeKey: "wk_store").map(\.version) == [1])
        let latest = try #require(try await store.latest(writeKey: "wk_store"))
        #expect(ManifestVerifier(keys: [key.publicKey]).isValid(latest, now: latest.publishedAt))

        let (retry, _) = try publish(changed, fault: false)
        await ManifestProcess.waitForExit(retry)
        #expect(retry.terminationStatus == 0)
        #expect(try await store.history(writeKey: "wk_store").map(\.version) == [1, 2])
    }
}
