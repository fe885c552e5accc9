import Foundation
import TestSupport
import Testing

@testable import ManifestBuilder

/// Hardening #17 item 8: every unreadable input names where, and never a Foundation error code.
@Suite("Input messages: line, column and path for every malformed document")
struct InputMessageTests {
    static func error(_ text: String) -> InputError? {
        #expect(throws: InputError.self) {
            try InputDocument.decode(Workspace.self, from: Data(text.utf8), file: "ws.json")
        }
    }

    @Test("a truncated file names the line and column where it ends")
    func truncated() {
        let error = Self.error("{\n  \"id\": \"ws\",\n  \"sources\": [\n    {\"id\": ")
        #expect(error?.line == 4)
        #expect(error?.column == 12)
        #expect(error?.description.hasPrefix("ws.json:4:12") == true)
        #expect(error?.message.contains("end of input") == true)
    }

    @Test("1e400 is out of range, with its position and path")
    func hugeNumber() {
        let error = Self.error("{\"id\": \"ws\",\n \"n\": 1e400}")
        #expect(error?.line == 2)
        #expect(error?.column == 7)
        #expect(error?.path == "$.n")
        #expect(error?.message.contains("1e400 is out of range") == true)
    }

    @Test("a trailing comma is refused with its position")
    func trailingComma() {
        let error = Self.error("{\"id\": \"ws\",\n \"sources\": [1, 2,]\n}")
        #expect(error?.line == 2)
        #expect(error?.message.contains("trailing comma") == true)
        #expect(error?.path == "$.sources")
        let inObject = Self.error("{\"id\": \"ws\",\n}")
        #expect(inObject?.line == 2 && inObject?.column == 1)
    }

    @Test("a duplicate key is refused with its path, line and column")
    func duplicateKey() {
        let text = """
            {"id": "ws", "name": "W", "sources": [
              {"id": "web", "name": "Web", "kind": "web", "writeKey": "wk",
               "instances": [{"id": "a", "destination": "Amplitude", "mode": "device",
                              "settings": {"apiKey": "one",
                                           "apiKey": "two"}}]}]}
            """
        let error = Self.error(text)
        #expect(error?.path == "$.sources[0].instances[0].settings.apiKey")
        #expect(error?.line == 5)
        #expect(error?.column == 32)
        #expect(error?.message.contains("duplicate key \"apiKey\"") == true)
        #expect(error?.description.contains("ws.json:5:32 at $.sources[0].instances[0].settings.apiKey") == true)
    }

    @Test("a directory says so, not NSCocoaErrorDomain; a missing file says so")
    func directory() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let error = #expect(throws: InputError.self) {
            try InputDocument.load(Workspace.self, from: temporary.url)
        }
        #expect(error?.message.contains("is a directory") == true)
        #expect(error?.description.contains("NSCocoaErrorDomain") == false)
        let missing = #expect(throws: InputError.self) {
            try InputDocument.load(Workspace.self, from: temporary.file("absent.json"))
        }
        #expect(missing?.message == "no such file")
    }
}
