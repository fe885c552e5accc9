import Foundation
import ManifestFuzzing
import TestSupport
import Testing

/// Replays every committed corpus input (`fuzz/corpus/<target>/`) through the fuzz targets'
/// entry functions: what `make fuzz` found interesting, and every crash it found once, runs in
/// CI without fuzzing.
@Suite("Fuzz corpus replay")
struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fuzz/corpus")

    static func inputs(_ target: FuzzTarget) throws -> [URL] {
        let directory = corpus.appendingPathComponent(target.rawValue)
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    @Test("every corpus input runs through its target without a crash", arguments: FuzzTarget.allCases)
    func replay(_ target: FuzzTarget) async throws {
        let inputs = try Self.inputs(target)
        #expect(!inputs.isEmpty, "fuzz/corpus/\(target.rawValue) has seed inputs")
        let contents = try inputs.map { try [UInt8](Data(contentsOf: $0)) }
        // The edge target blocks on sockets: run it on a thread of its own, not the concurrency pool.
        await onOwnThread { for bytes in contents { target.run(bytes) } }
    }
}
