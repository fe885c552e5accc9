import Foundation
import Synchronization
import TestSupport
import Testing

@testable import ManifestBuilder

/// Issue 16: an unchanged re-publish of a workspace file is answered from the store's
/// `PublishMarker` without parsing the file; anything that could change what it appends takes
/// the full path, with the result a publish without the shortcut gives.
///
/// Each test runs the same steps against two stores: one published with `publishFile` (the
/// shortcut), one with `publish(_:now:)` of the parsed file (as before it). Time is the `now`
/// passed in.
@Suite("Publishing a workspace file: the unchanged shortcut")
final class FilePublishTests {
    let directory: TemporaryDirectory
    /// Published with `publishFile`.
    let shortcut: SQLiteOriginStore
    /// Published without the shortcut, for the results to compare with.
    let plain: SQLiteOriginStore
    let key = SigningKey()
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let ws = publishedWorkspace
    let file: Data
    let catalogFile: Data
    /// How many times `publishFile` parsed a file.
    let parses = ParseCount()

    final class ParseCount: Sendable {
        let value = Mutex(0)
    }

    init() throws {
        directory = try TemporaryDirectory()
        shortcut = try SQLiteOriginStore(path: directory.file("shortcut.sqlite").path)
        plain = try SQLiteOriginStore(path: directory.file("plain.sqlite").path)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        file = try encoder.encode(ws)
        catalogFile = try encoder.encode(TestCatalog.catalog)
    }

    deinit {
        directory.remove()
    }

    func publisher(_ store: any OriginStore, compiler: ManifestCompiler = TestCatalog.compiler) -> Publisher {
        Publisher(compiler: compiler, key: key, store: store)
    }

    var parsed: Int { parses.value.withLock { $0 } }

    /// Publishes `file` into both stores at `now`; expects the same result from both and
    /// returns it, and whether the shortcut store parsed the file.
    @discardableResult
    func publishBoth(
        _ file: Data, catalogFile: Data? = nil, compiler: ManifestCompiler = TestCatalog.compiler, at now: Date,
        force: Bool = false
    ) async throws -> (result: PublishResult, parsed: Bool) {
        let before = parsed
        let expected = try await publisher(plain, compiler: compiler).publish(decode(file), now: now)
        let result = try await publisher(shortcut, compiler: compiler).publishFile(
            try mapped(file), catalogFile: catalogFile ?? self.catalogFile, build: "test", force: force, now: now,
            progress: countParse)
        #expect(result == expected)
        #expect(try await shortcut.lastSequence() == plain.lastSequence())
        return (result, parsed > before)
    }

    /// `contents` as a file of the temporary directory, opened as `manifest publish` opens one.
    func mapped(_ contents: Data) throws -> MappedFile {
        let url = directory.file("workspace-\(UUID().uuidString).json")
        try contents.write(to: url)
        return try MappedFile(url)
    }

    /// A progress callback: a publish that reads the file reports each batch (these workspaces
    /// make one), a publish answered from the marker reports nothing.
    var countParse: @Sendable (Int, Int) -> Void {
        { [parses] _, _ in parses.value.withLock { $0 += 1 } }
    }

    func decode(_ file: consuming Data) throws -> Workspace {
        try InputDocument.decode(Workspace.self, taking: file, file: "workspace.json")
    }

    /// `file` with one byte of a setting's value changed (`amp-public` -> `amp-publiC`).
    func oneByteChanged() throws -> Data {
        var changed = file
        let value = try #require(changed.range(of: Data("amp-public".utf8)))
        changed[value.upperBound - 1] = UInt8(ascii: "C")
        return changed
    }

    /// Seven web sources, each with its own ids: more than three batches of two.
    static func manySources() -> Workspace {
        Workspace(
            id: "ws", name: "Test",
            sources: (0..<7).map { number in
                source(
                    "web\(number)", .web,
                    [
                        instance("amp-\(number)", "Amplitude", .device, settings: ["apiKey": .string("amp-\(number)")]),
                        instance("hook-\(number)", "Webhooks", .cloud, name: "Hook \(number)"),
                    ])
            })
    }

    @Test(
        "read two sources at a time: the whole reading's result; a violation in the last batch rolls every batch back")
    func batches() async throws {
        let many = Self.manySources()
        let small = Publisher(compiler: TestCatalog.compiler, key: key, store: shortcut, batchSize: 2)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys  // "sources" after "id": read a batch at a time
        let expected = try await publisher(plain).publish(many, now: start)
        let result = try await small.publishFile(
            try mapped(encoder.encode(many)), catalogFile: catalogFile, build: "test", now: start,
            progress: countParse)
        #expect(result == expected)
        #expect(result.changes.count == 7)
        #expect(parsed == 4)
        let head = try await shortcut.lastSequence()
        #expect(head == (try await plain.lastSequence()))

        // The last source reuses the first one's write key (W1) and an instance id (R13), and
        // its content changed: the batches before it were written, then rolled back.
        var invalid = many
        for index in invalid.sources.indices {
            invalid.sources[index].instances[0].settings["apiKey"] = "changed"
        }
        invalid.sources[6].writeKey = "wk_web0"
        invalid.sources[6].instances[1].id = "hook-0"
        let report = small.rules.validate(invalid)
        #expect(report.errorRules == [.w1, .r13])
        var refused: ValidationReport?
        do {
            _ = try await small.publishFile(
                try mapped(encoder.encode(invalid)), catalogFile: catalogFile, build: "test", now: start)
        } catch PublishError.invalid(let report) { refused = report }
        #expect(refused == report)
        #expect(try await shortcut.lastSequence() == head)
        #expect(try await shortcut.latest(writeKey: "wk_web0")?.version == 1)
    }

    @Test("a file replaced while it is read: nothing is published, and the error says so")
    func replacedWhileRead() async throws {
        let many = Self.manySources()
        let small = Publisher(compiler: TestCatalog.compiler, key: key, store: shortcut, batchSize: 2)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let url = directory.file("replaced.json")
        try encoder.encode(many).write(to: url)
        let file = try MappedFile(url)
        try file.checkUnchanged()
        // After the first batch, a new file is renamed into place (an editor's save).
        let replaced = Mutex(false)
        let error = await #expect(throws: InputError.self) {
            try await small.publishFile(
                file, catalogFile: catalogFile, build: "test", now: start,
                progress: { _, _ in
                    guard !replaced.withLock({ $0 }) else { return }
                    replaced.withLock { $0 = true }
                    try? encoder.encode(many).write(to: url, options: .atomic)
                })
        }
        #expect(error?.message.hasPrefix("changed while it was being read") == true, "\(String(describing: error))")
        #expect(try await shortcut.lastSequence() == 0)
        #expect(try await shortcut.latest(writeKey: "wk_web0") == nil)
        // Opened again, the new file publishes.
        let result = try await small.publishFile(
            try MappedFile(url), catalogFile: catalogFile, build: "test", now: start)
        #expect(result.changes.count == 7)
    }

    @Test("a file whose own fields come after its sources, or one that is not a workspace, is read whole")
    func readWhole() async throws {
        let encoder = JSONEncoder()
        let sourcesFirst =
            try #require(
                String(decoding: try encoder.encode(["sources": ws.sources]), as: UTF8.self).dropLast().description)
            + #","id":"ws","name":"Test"}"#
        let expected = try await publisher(plain).publish(ws, now: start)
        let result = try await publisher(shortcut).publishFile(
            try mapped(Data(sourcesFirst.utf8)), catalogFile: catalogFile, build: "test", now: start)
        #expect(result == expected)
        // Its id after the sources differs from none before them: the sources are compiled
        // with the id the whole reading gives.
        #expect(try await shortcut.latest(writeKey: "wk_store")?.surrogateKeys.contains("workspace:ws") == true)

        let broken = String(sourcesFirst.dropLast(2))
        let error = await #expect(throws: InputError.self) {
            try await publisher(shortcut).publishFile(
                try mapped(Data(broken.utf8)), catalogFile: catalogFile, build: "test", now: start)
        }
        #expect(error?.message.hasPrefix("invalid JSON") == true, "\(String(describing: error))")
        #expect(error?.line == 1)
    }

    @Test("an unchanged second publish parses nothing and appends nothing")
    func unchangedSkipsParsing() async throws {
        let first = try await publishBoth(file, at: start)
        #expect(first.parsed)
        #expect(first.result.changes.count == 2)
        let head = try await shortcut.lastSequence()
        let again = try await publishBoth(file, at: start.addingTimeInterval(60))
        #expect(!again.parsed)
        #expect(again.result == PublishResult(changes: [], unchanged: 2))
        #expect(ReportText.render(again.result) == "published 0 source(s), 2 unchanged")
        #expect(try await shortcut.lastSequence() == head)
        // And again: a skipped publish leaves the marker as it was.
        #expect(try await !publishBoth(file, at: start.addingTimeInterval(120)).parsed)
    }

    @Test("a changed byte in the file takes the full path, whether or not the content changed")
    func changedFile() async throws {
        try await publishBoth(file, at: start)
        // Only the bytes: nothing to publish, but the file is parsed, and then marked.
        let spaced = file + Data("\n".utf8)
        let reformatted = try await publishBoth(spaced, at: start.addingTimeInterval(60))
        #expect(reformatted.parsed)
        #expect(reformatted.result == PublishResult(changes: [], unchanged: 2))
        #expect(try await !publishBoth(spaced, at: start.addingTimeInterval(90)).parsed)
        // One byte of a setting: that source is published.
        let changed = try await publishBoth(try oneByteChanged(), at: start.addingTimeInterval(120))
        #expect(changed.parsed)
        #expect(changed.result.changes.map(\.writeKey) == ["wk_store"])
        #expect(changed.result.changes.first?.diff.changed == ["Amplitude"])
        // Back to the first file: its marker went when the log moved on.
        let back = try await publishBoth(file, at: start.addingTimeInterval(180))
        #expect(back.parsed)
        #expect(back.result.changes.map(\.reason) == [.changed])
    }

    @Test("a changed catalog file, SDK bundle, CDN base or validity takes the full path")
    func changedInputs() async throws {
        try await publishBoth(file, at: start)
        let catalog = try await publishBoth(file, catalogFile: catalogFile + Data(" ".utf8), at: start)
        #expect(catalog.parsed)
        #expect(catalog.result.changes.isEmpty)

        var stubs = TestCatalog.stubs
        stubs["braze web mode (actions)"] = Array("window.changed = true;".utf8)
        let bundles = ManifestCompiler(
            catalog: TestCatalog.catalog, bundles: try BundleSet(catalog: TestCatalog.catalog, stubs: stubs),
            cdnBase: TestCatalog.cdnBase)
        let bundle = try await publishBoth(file, compiler: bundles, at: start.addingTimeInterval(60))
        #expect(bundle.parsed)
        #expect(bundle.result.changes.map(\.writeKey) == ["wk_store"])

        let cdn = ManifestCompiler(
            catalog: TestCatalog.catalog, bundles: TestCatalog.bundles, cdnBase: "https://other-cdn.test.example")
        let moved = try await publishBoth(file, compiler: cdn, at: start.addingTimeInterval(120))
        #expect(moved.parsed)
        #expect(moved.result.changes.map(\.writeKey) == ["wk_store"])

        let digest = publisher(shortcut).inputDigest(workspaceFile: file, catalogFile: catalogFile, build: "test")
        // Hashed from the mapped file, a slice at a time, as `publishFile` does: the same digest.
        #expect(
            publisher(shortcut).inputDigest(workspaceFile: try mapped(file), catalogFile: catalogFile, build: "test")
                == digest)
        let shorter = Publisher(
            compiler: TestCatalog.compiler, key: key, store: shortcut, policy: PublishPolicy(validity: 86_400))
        #expect(shorter.inputDigest(workspaceFile: file, catalogFile: catalogFile, build: "test") != digest)
        #expect(
            publisher(shortcut).inputDigest(workspaceFile: file, catalogFile: catalogFile, build: "next") != digest)
        #expect(
            Publisher(compiler: TestCatalog.compiler, key: SigningKey(), store: shortcut)
                .inputDigest(workspaceFile: file, catalogFile: catalogFile, build: "test") != digest)
    }

    @Test("a publish from another path since (the control plane, a rollback) takes the full path")
    func otherPublishers() async throws {
        try await publishBoth(file, at: start)
        // As the control plane does: one source edited and published by id.
        var edited = ws
        edited.sources[1].instances[0].settings["apiKey"] = "edited"
        for store in [shortcut, plain] {
            _ = try await publisher(store).publish(edited, sources: ["app"], now: start.addingTimeInterval(60))
        }
        let afterEdit = try await publishBoth(file, at: start.addingTimeInterval(120))
        #expect(afterEdit.parsed)
        #expect(afterEdit.result.changes.map(\.writeKey) == ["wk_app"])
        #expect(afterEdit.result.changes.first?.version == 3)

        #expect(try await !publishBoth(file, at: start.addingTimeInterval(150)).parsed)
        for store in [shortcut, plain] {
            _ = try await Rollback(key: key, store: store)(
                writeKey: "wk_app", to: 2, now: start.addingTimeInterval(180))
        }
        let afterRollback = try await publishBoth(file, at: start.addingTimeInterval(240))
        #expect(afterRollback.parsed)
        #expect(afterRollback.result.changes.map(\.writeKey) == ["wk_app"])
        #expect(afterRollback.result.changes.first?.version == 5)
    }

    @Test("from the earliest refresh time on, the full path re-signs what nears expiry")
    func refreshTime() async throws {
        try await publishBoth(file, at: start)
        // Valid 7 days, refreshed once less than 2 are left: from start + 5 days.
        let refreshAt = start.addingTimeInterval(5 * 86_400)
        #expect(try await !publishBoth(file, at: refreshAt.addingTimeInterval(-1)).parsed)
        let due = try await publishBoth(file, at: refreshAt.addingTimeInterval(1))
        #expect(due.parsed)
        #expect(due.result.changes.map(\.reason) == [.refreshed, .refreshed])
        // The new marker counts from the new versions.
        #expect(try await !publishBoth(file, at: refreshAt.addingTimeInterval(60)).parsed)
    }

    @Test("the refresh time is the earliest of the workspace's manifests, kept or new")
    func earliestRefresh() async throws {
        let appOnly = try JSONEncoder().encode(workspace(ws.sources[1]))
        try await publishBoth(appOnly, at: start)
        // A day later wk_store is new; wk_app keeps its version from `start`.
        let later = try await publishBoth(file, at: start.addingTimeInterval(86_400))
        #expect(later.result.changes.map(\.writeKey) == ["wk_store"])
        let marker = try #require(
            try await shortcut.publishMarker(
                inputDigest: publisher(shortcut).inputDigest(
                    workspaceFile: file, catalogFile: catalogFile, build: "test")))
        #expect(marker.refreshAt == start.addingTimeInterval(5 * 86_400))
        #expect(marker.manifests == 2)
        let due = try await publishBoth(file, at: start.addingTimeInterval(5 * 86_400 + 1))
        #expect(due.parsed)
        #expect(due.result.changes.map(\.writeKey) == ["wk_app"])
    }

    @Test("--force takes the full path")
    func force() async throws {
        try await publishBoth(file, at: start)
        let forced = try await publishBoth(file, at: start.addingTimeInterval(60), force: true)
        #expect(forced.parsed)
        #expect(forced.result == PublishResult(changes: [], unchanged: 2))
    }

    @Test("an invalid file is reported as before and never marked")
    func invalidFile() async throws {
        try await publishBoth(file, at: start)
        var invalid = ws
        invalid.sources[0].instances.append(instance("amp-2", "Amplitude", .device, name: "Amplitude Two"))
        let invalidFile = try JSONEncoder().encode(invalid)
        for _ in 0..<2 {
            let before = parsed
            var expected: ValidationReport?
            do {
                _ = try await publisher(plain).publish(decode(invalidFile), now: start)
            } catch PublishError.invalid(let report) { expected = report }
            var reported: ValidationReport?
            do {
                _ = try await publisher(shortcut).publishFile(
                    try mapped(invalidFile), catalogFile: catalogFile, build: "test", now: start,
                    progress: countParse)
            } catch PublishError.invalid(let report) { reported = report }
            #expect(reported != nil)
            #expect(reported == expected)
            #expect(parsed == before + 1)
        }
        // Nothing was appended, so the valid file's marker still stands.
        #expect(try await !publishBoth(file, at: start.addingTimeInterval(60)).parsed)
    }
}
