import Foundation
import TestSupport
import Testing

@testable import ManifestBuilder

/// Issue 16: `validate(file:)` reads a batch of sources at a time; its report and its errors
/// must be the ones of reading the whole file and validating the workspace.
@Suite("Validating a file a batch of sources at a time")
struct StreamedValidationTests {
    static let rules = ConnectionRules(catalog: try! Fixtures.catalog())
    static let fixtures =
        [Fixtures.acmeFile]
        + ((try? FileManager.default.contentsOfDirectory(atPath: Fixtures.invalidDirectory.path)) ?? [])
        .filter { $0 != "malformed.json" }.sorted().map { Fixtures.invalidDirectory.appendingPathComponent($0) }

    /// `text` in a file of its own, removed after `body`.
    static func withFile<T>(_ text: String, _ body: (URL) throws -> T) throws -> T {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("streamed-\(UUID().uuidString).json")
        try Data(text.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try body(url)
    }

    static func whole(_ url: URL) throws -> ValidationReport {
        rules.validate(try InputDocument.load(Workspace.self, from: url))
    }

    @Test("every fixture: the same report, whatever the batch size", arguments: fixtures)
    func fixture(_ url: URL) throws {
        let expected = try Self.whole(url)
        for batchSize in [1, 2, 1_024] {
            #expect(try Self.rules.validate(file: url, batchSize: batchSize) == expected, "batches of \(batchSize)")
        }
    }

    @Test("W1 and R13 across batches: clashing ids, write keys and instances, in the whole reading's order")
    func clashesAcrossBatches() throws {
        var acme = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.acmeFile)) as! [String: Any]
        var sources = acme["sources"] as! [[String: Any]]
        let web = sources[0]
        var copy = web
        copy["name"] = "Copy of the store"  // the same id, write key and instance ids as the first
        var renamed = web
        renamed["id"] = "another-id"
        renamed["name"] = "Renamed"
        renamed["writeKey"] = ""  // W1: empty; its instance ids are still the first source's
        var twice = sources[1]
        var instances = twice["instances"] as! [[String: Any]]
        if let first = instances.first { instances.append(first) }  // R13 within one source (and R1)
        twice["instances"] = instances
        var badKey = sources[2]
        badKey["id"] = "bad-key"
        badKey["writeKey"] = "not a key!"
        badKey["instances"] = []
        sources[1] = twice
        sources += [copy, renamed, badKey]
        acme["sources"] = sources
        let text = String(decoding: try JSONSerialization.data(withJSONObject: acme), as: UTF8.self)
        try Self.withFile(text) { url in
            let expected = try Self.whole(url)
            #expect(expected.errors.contains { $0.rule == .w1 })
            #expect(expected.errors.contains { $0.rule == .w3 })
            // The copy's and the renamed source's instances, and the one used twice.
            let instances = (web["instances"] as! [Any]).count
            #expect(expected.errors.filter { $0.rule == .r13 }.count == 2 * instances + 1)
            for batchSize in [1, 2, 3, 1_024] {
                #expect(try Self.rules.validate(file: url, batchSize: batchSize) == expected, "batches of \(batchSize)")
            }
            // The keys spilled to disk as they come.
            #expect(try Self.rules.validate(file: url, batchSize: 2, spillAfter: 1) == expected)
        }
    }

    static let source = #"{"id": "s", "kind": "web", "writeKey": "wk_streamed_0001"}"#

    @Test(
        "a file that is not a well-formed workspace: the whole reading's error, line, column and path",
        arguments: [
            "", "[]", "{}", #"{"id": "w"}"#, #"{"id": "w", "sources": {}}"#, #"{"sources": [], "id": 5}"#,
            #"{"id": "w", "sources": [{"id": 1}]}"#, #"{"id": "w", "sources": [null]}"#,
            #"{"id": "w", "sources": [\#(source)], "id": "x"}"#,
            #"{"id": "w", "sources": [{"id": 1}, \#(source)"#,
            #"{"id": "w", "sources": [\#(source),]}"#, #"{"id": "w", "sources": []} trailing"#,
            #"{"id": "w", "sources": [\#(source)], }"#, #"{"id": "w", "sources": [\#(source)]"#,
        ])
    func malformed(_ text: String) throws {
        try Self.withFile(text) { url in
            let expected = #expect(throws: InputError.self) { try Self.whole(url) }
            let streamed = #expect(throws: InputError.self) { try Self.rules.validate(file: url, batchSize: 1) }
            #expect(streamed == expected)
        }
    }

    @Test("a byte order mark, whitespace and members in any order are read as the whole reading reads them")
    func wellFormedVariants() throws {
        for text in [
            "\u{FEFF}{\"id\": \"w\", \"sources\": [\(Self.source)]}",
            "\n {\"sources\": [ \(Self.source) , \(Self.source) ],\n \"name\": \"W\", \"id\": \"w\" }\n",
            #"{"id": "w", "sources": []}"#,
        ] {
            try Self.withFile(text) { url in
                let streamed = try Self.rules.validate(file: url, batchSize: 1)
                #expect(streamed == (try Self.whole(url)))
            }
        }
    }

    @Test("a missing file and a directory say so, as the whole reading does")
    func unreadable() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("streamed-missing.json")
        let error = #expect(throws: InputError.self) { try Self.rules.validate(file: missing) }
        #expect(error?.message == "no such file")
        let directory = #expect(throws: InputError.self) {
            try Self.rules.validate(file: FileManager.default.temporaryDirectory)
        }
        #expect(directory?.message == "is a directory, not a JSON file")
    }
}
