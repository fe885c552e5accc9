import Foundation
import TestSupport
import Testing

@testable import ManifestBuilder

/// `InputDocument` decodes the tree it parsed instead of running `JSONDecoder` over the bytes
/// again (issue 16): what it reads, and where it says a value is wrong, must not change.
@Suite("Decoding from the parsed tree")
struct JSONValueDecoderTests {
    static let files: [URL] =
        [Fixtures.acmeFile]
        + ((try? FileManager.default.contentsOfDirectory(atPath: Fixtures.invalidDirectory.path)) ?? [])
        .filter { $0.hasSuffix(".json") && $0 != "malformed.json" }.sorted()
        .map { Fixtures.invalidDirectory.appendingPathComponent($0) }

    @Test("every fixture workspace decodes to what JSONDecoder gives", arguments: files)
    func sameAsJSONDecoder(_ file: URL) throws {
        let data = try Data(contentsOf: file)
        let expected = try JSONDecoder().decode(Workspace.self, from: data)
        #expect(try InputDocument.decode(Workspace.self, from: data, file: file.lastPathComponent) == expected)
    }

    @Test("the catalog decodes to what JSONDecoder gives")
    func catalog() throws {
        let data = try Data(contentsOf: Fixtures.catalogFile)
        let expected = try JSONDecoder().decode(Catalog.self, from: data)
        let decoded = try InputDocument.decode(Catalog.self, from: data, file: "catalog.json")
        #expect(decoded.destinations.map(\.name) == expected.destinations.map(\.name))
        #expect(decoded.destinations.map(\.settings) == expected.destinations.map(\.settings))
        #expect(decoded.destinations.map(\.bundle) == expected.destinations.map(\.bundle))
    }

    static func error(_ json: String) -> InputError? {
        #expect(throws: InputError.self) {
            try InputDocument.decode(Workspace.self, from: Data(json.utf8), file: "ws.json")
        }
    }

    @Test("wrong types, nulls and missing fields name their JSON path")
    func wrongValues() {
        let instance = #"{"id": "a", "destination": "Amplitude", "mode": "device""#
        func workspace(_ instanceJSON: String) -> String {
            #"{"id": "ws", "sources": [{"id": "web", "kind": "web", "writeKey": "k", "instances": [\#(instanceJSON)]}]}"#
        }
        let wrongType = Self.error(workspace(instance + #", "enabled": "yes"}"#))
        #expect(wrongType?.path == "$.sources[0].instances[0].enabled")
        #expect(wrongType?.message.contains("expected a boolean") == true)
        let null = Self.error(workspace(#"{"id": null, "destination": "Amplitude", "mode": "device"}"#))
        #expect(null?.path == "$.sources[0].instances[0].id")
        #expect(null?.message == "expected a string, found null")
        let missing = Self.error(workspace(#"{"id": "a", "mode": "device"}"#))
        #expect(missing?.path == "$.sources[0].instances[0].destination")
        #expect(missing?.message == "missing required field 'destination'")
        let badEnum = Self.error(workspace(#"{"id": "a", "destination": "Amplitude", "mode": "hybrid"}"#))
        #expect(badEnum?.path == "$.sources[0].instances[0].mode")
        let settings = Self.error(workspace(instance + #", "settings": [1]}"#))
        #expect(settings?.path == "$.sources[0].instances[0].settings")
        let percent = Self.error(
            workspace(
                instance + #", "filters": [{"name": "f", "if": "true", "action": {"type": "sample", "percent": 101}}]}"#
            ))
        #expect(percent?.path == "$.sources[0].instances[0].filters[0].action.percent")
    }

    @Test("settings and nulls inside them come through as written")
    func freeFormSettings() throws {
        let json = #"""
            {"id": "ws", "sources": [{"id": "web", "kind": "web", "writeKey": "k", "instances": [
              {"id": "a", "destination": "Amplitude", "mode": "device",
               "settings": {"apiKey": "k\u00e9", "n": 1e2, "x": 1.5, "o": {"a": [null, true]}, "z": null}}]}]}
            """#
        let workspace = try InputDocument.decode(Workspace.self, from: Data(json.utf8), file: "ws.json")
        let settings = try #require(workspace.sources.first?.instances.first?.settings)
        #expect(settings == ["apiKey": "ké", "n": 100, "x": 1.5, "o": ["a": [nil, true]], "z": nil])
    }

    @Test("numbers come out as JSONDecoder gave them: integral ones as integers")
    func numbersAsBefore() throws {
        let json = #"{"a": 2.0, "b": 1e2, "c": 1.5, "d": -0.0, "e": 1e20, "f": [3.0, {"g": 4e0}], "h": 7}"#
        let expected = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        #expect(try InputDocument.decode(JSONValue.self, from: Data(json.utf8), file: "x.json") == expected)
        #expect(expected["a"] == .int(2) && expected["e"] == .double(1e20))
    }
}
