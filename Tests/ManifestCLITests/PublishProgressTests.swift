import Foundation
import TestSupport
import Testing

@testable import ManifestBuilder

/// Issue 16: a long `manifest publish` shows its progress on a terminal and nowhere else.
@Suite("The publish progress line")
struct PublishProgressTests {
    /// A data directory with a key, the test catalog and its SDK stubs, and a workspace of
    /// 30 web sources.
    struct Setup {
        let directory: TemporaryDirectory
        var arguments: [String]

        init() throws {
            directory = try TemporaryDirectory()
            let data = directory.url.appendingPathComponent("data")
            let sdk = directory.url.appendingPathComponent("sdk")
            try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: sdk, withIntermediateDirectories: true)
            try SigningKey().fileContents().write(to: data.appendingPathComponent("signing-key.json"))
            for (id, bytes) in TestCatalog.stubs { try Data(bytes).write(to: sdk.appendingPathComponent("\(id).js")) }
            let catalog = directory.url.appendingPathComponent("catalog.json")
            try JSONEncoder().encode(TestCatalog.catalog).write(to: catalog)
            let ws = Workspace(
                id: "ws", name: "W",
                sources: (0..<30).map { source("web-\($0)", .web, [instance("amp-\($0)", "Amplitude", .device)]) })
            let file = directory.url.appendingPathComponent("workspace.json")
            try JSONEncoder().encode(ws).write(to: file)
            arguments = [
                "publish", file.path, "--catalog", catalog.path, "--sdk-dir", sdk.path, "--data-dir", data.path,
            ]
        }
    }

    @Test("silent when standard error is not a terminal")
    func silentInPipes() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: ManifestProcess.executable.path),
            "build the manifest executable first (swift build)")
        let setup = try Setup()
        defer { setup.directory.remove() }
        let (process, errors) = try ManifestProcess.start(setup.arguments)
        let written = await onOwnThread { errors.fileHandleForReading.readDataToEndOfFile() }
        #expect(await ManifestProcess.waitForExit(process) == 0)
        #expect(String(decoding: written, as: UTF8.self) == "")
    }

    @Test("on a terminal: sources done and the rate, then the result on a line of its own")
    func shownOnTerminal() async throws {
        try ManifestProcess.requireTerminal()
        let setup = try Setup()
        defer { setup.directory.remove() }
        let (status, shown) = try await ManifestProcess.runOnTerminal(setup.arguments)
        #expect(status == 0)
        #expect(shown.contains("\rpublishing: 30 of 30 sources"), "\(shown)")
        #expect(shown.contains("/s"), "\(shown)")
        #expect(
            shown.contains("\npublished 30 source(s), 0 unchanged") || shown.contains("\r\npublished 30"), "\(shown)")
    }
}

extension ManifestProcess {
    /// Stops the test unless `runOnTerminal` can work: the executable built, script(1) installed.
    static func requireTerminal() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: executable.path),
            "build the manifest executable first (swift build)")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "util-linux's script")
    }

    /// Runs `manifest arguments...` on a pseudo-terminal (script(1), util-linux) to its end:
    /// its status and everything it showed, standard output and error together.
    static func runOnTerminal(_ arguments: [String]) async throws -> (status: Int32, shown: String) {
        let command = ([executable.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let shown = String(
            decoding: await onOwnThread { output.fileHandleForReading.readDataToEndOfFile() }, as: UTF8.self)
        return (await waitForExit(process), shown)
    }
}

@Suite("Progress text")
struct ProgressTextTests {
    @Test("sources done, the rate and the time left")
    func text() {
        #expect(ReportText.progress(done: 0, total: 100_000, elapsed: 0) == "publishing: 0 of 100,000 sources")
        #expect(
            ReportText.progress(done: 12_000, total: 100_000, elapsed: 1.5)
                == "publishing: 12,000 of 100,000 sources, 8,000/s, about 11 s left")
        #expect(
            ReportText.progress(done: 1_000, total: 100_000, elapsed: 10)
                == "publishing: 1,000 of 100,000 sources, 100/s, about 16 min 30 s left")
        #expect(
            ReportText.progress(done: 100_000, total: 100_000, elapsed: 4)
                == "publishing: 100,000 of 100,000 sources, 25,000/s")
    }
}
