import Foundation
import TestSupport
import Testing

/// Hardening #17 item 6: every numeric option is range-checked before the command runs, so
/// `nan`, `inf`, `-1` or `1e308` are a usage error (exit 64), never a trap.
/// Serialized: a hundred launches of the debug binary at once starve the rest of the suite.
@Suite("Numeric options out of range", .serialized)
struct NumericOptionTests {
    static let values = ["nan", "inf", "-inf", "-1", "1e308"]

    /// Each command line, with `X` where the bad value goes.
    static let commands: [[String]] = [
        ["publish", "ws.json", "--validity-days=X"],
        ["rollback", "wk", "--to=X"],
        ["serve", "origin", "--port=X"],
        ["serve", "origin", "--port=0", "--edge-ttl=X"],
        ["serve", "origin", "--port=0", "--stale-if-error=X"],
        ["serve", "origin", "--port=0", "--header-timeout=X"],
        ["serve", "origin", "--port=0", "--max-connections=X"],
        ["serve", "edge", "--origin=http://127.0.0.1:9", "--port=X"],
        ["serve", "edge", "--origin=http://127.0.0.1:9", "--port=0", "--cache-bytes=X"],
        ["serve", "edge", "--origin=http://127.0.0.1:9", "--port=0", "--origin-timeout-ms=X"],
        ["serve", "edge", "--origin=http://127.0.0.1:9", "--port=0", "--idle-timeout=X"],
        ["serve", "edge", "--origin=http://127.0.0.1:9", "--port=0", "--body-timeout=X"],
        ["client", "--edge=http://127.0.0.1:9", "--write-key=wk", "--loads=X"],
        ["client", "--edge=http://127.0.0.1:9", "--write-key=wk", "--interval=X"],
        ["simulate", "--clients=X"],
        ["simulate", "--edges=X"],
        ["simulate", "--interval=X"],
        ["simulate", "--stream-loss=X"],
        ["simulate", "--origin-latency=X"],
        ["simulate", "--stream-delay-ms=X"],
        ["demo", "--clients=X"],
    ]

    @Test("nan, inf, -inf, -1 and 1e308 exit 64 with a message, for every numeric option", arguments: commands)
    func refused(_ command: [String]) async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: ManifestProcess.executable.path),
            "build the manifest executable first (swift build)")
        for value in Self.values {
            let arguments = command.map { $0.replacingOccurrences(of: "=X", with: "=\(value)") }
            let (reason, status, message) = try await Self.run(arguments)
            #expect(reason == .exit, "\(arguments) crashed")
            #expect(status == 64, "\(arguments): \(message)")
            #expect(message.contains("Error"), "\(arguments)")
        }
    }

    /// Runs `manifest arguments...` to its end on a thread of its own (waiting for a child must
    /// not hold one of the concurrency pool's two threads, which the rest of the suite needs).
    static func run(_ arguments: [String]) async throws -> (Process.TerminationReason, Int32, String) {
        try await onOwnThread {
            let (process, errors) = try ManifestProcess.start(arguments)
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationReason, process.terminationStatus, message)
        }
    }

    @Test("a value in range still passes validation (a large --validity-days within 3650)")
    func inRange() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ManifestProcess.executable.path))
        let (_, status, message) = try await Self.run(["publish", "/nonexistent/ws.json", "--validity-days=3650"])
        #expect(status == 2, "unreadable input, not a usage error: \(message)")
    }
}
