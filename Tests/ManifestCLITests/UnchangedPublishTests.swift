import Foundation
import TestSupport
import Testing

@testable import ManifestBuilder

/// Issue 16: the real `manifest publish` of an unchanged file returns from the store's marker
/// without parsing. On a terminal the full path always draws its progress line, so a skipped
/// publish shows exactly its one result line and nothing else.
@Suite("An unchanged manifest publish")
struct UnchangedPublishTests {
    @Test("skips the file; a changed byte, --force and an invalid file take the full path as before")
    func unchangedPublish() async throws {
        try ManifestProcess.requireTerminal()
        let setup = try PublishProgressTests.Setup()
        defer { setup.directory.remove() }
        let file = URL(fileURLWithPath: setup.arguments[1])
        let progress = "publishing: 30 of 30 sources"
        let skipped = "published 0 source(s), 30 unchanged\r\n"
        func publish(_ extra: [String] = []) async throws -> String {
            let (status, shown) = try await ManifestProcess.runOnTerminal(setup.arguments + extra)
            #expect(status == 0, "\(shown)")
            return shown
        }

        let first = try await publish()
        #expect(first.contains(progress) && first.contains("published 30 source(s), 0 unchanged"), "\(first)")
        #expect(try await publish() == skipped)
        let forced = try await publish(["--force"])
        #expect(forced.contains(progress) && forced.hasSuffix(skipped), "\(forced)")

        // One byte more (the same content): parsed once, then skipped again.
        let original = try Data(contentsOf: file)
        try (original + Data("\n".utf8)).write(to: file)
        let spaced = try await publish()
        #expect(spaced.contains(progress) && spaced.hasSuffix(skipped), "\(spaced)")
        #expect(try await publish() == skipped)

        // An invalid file: `validate`'s report and "nothing was published", every time.
        var invalid = try InputDocument.decode(Workspace.self, from: original, file: "workspace.json")
        invalid.sources[0].instances.append(instance("amp-again", "Amplitude", .device, name: "Amplitude Again"))
        try JSONEncoder().encode(invalid).write(to: file)
        let catalog = setup.arguments[3]
        let (validateStatus, report) = try await ManifestProcess.runOnTerminal([
            "validate", file.path, "--catalog", catalog,
        ])
        #expect(validateStatus == 1)
        #expect(report.contains("R3"), "\(report)")
        // The file is read a batch at a time, so the progress line may come first; it ends
        // before the report.
        for _ in 0..<2 {
            let (status, shown) = try await ManifestProcess.runOnTerminal(setup.arguments)
            #expect(status == 1)
            #expect(shown.hasSuffix(report + "nothing was published\r\n"), "\(shown)")
            #expect(!shown.contains("source(s)"), "\(shown)")
        }
        // Nothing was appended meanwhile, so the last good file's marker still stands.
        try (original + Data("\n".utf8)).write(to: file)
        #expect(try await publish() == skipped)
    }
}
