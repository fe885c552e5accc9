import Foundation
import ManifestBuilder
import TestSupport
import Testing

@Suite("Fixtures")
struct FixtureTests {
    static let invalidDirectory = Fixtures.invalidDirectory
    static let invalidFiles = ((try? FileManager.default.contentsOfDirectory(atPath: invalidDirectory.path)) ?? [])
        .filter { $0.hasSuffix(".json") && $0 != "malformed.json" }
        .sorted()

    let catalog: Catalog

    init() throws {
        catalog = try Fixtures.catalog()
    }

    @Test("the catalog has at least 25 destinations and keeps sources apart")
    func catalogShape() throws {
        #expect(catalog.destinations.count >= 25)
        for name in ["Customer.io", "Leanplum", "Airship"] {
            #expect(catalog.hasSource(named: name))
            #expect(catalog.destination(named: name) != nil)
        }
        let amplitudeActions = try #require(catalog.destination(named: "Amplitude (Actions)"))
        #expect(amplitudeActions.allowsMultiInstance(on: .web))
        #expect(amplitudeActions.allowsMultiInstance(on: .server))
        #expect(!amplitudeActions.allowsMultiInstance(on: .mobile))
        #expect(catalog.destination(named: "Braze Cloud Mode (Actions)")?.allowsMultiInstance(on: .web) == false)
        #expect(catalog.destinations.contains { $0.dataLake })
        #expect(catalog.destinations.contains { $0.isCloudOnly })
        #expect(catalog.destinations.contains { $0.isDeviceOnly })
    }

    @Test("the Acme workspace is valid and shows each source kind")
    func acmeIsValid() throws {
        let workspace = try Fixtures.acme()
        let report = ConnectionRules(catalog: catalog).validate(workspace)
        #expect(report.errors == [])
        #expect(Set(workspace.sources.map(\.kind)) == Set(SourceKind.allCases))
    }

    @Test("each invalid fixture breaks exactly the rule its name gives", arguments: invalidFiles)
    func invalidFixture(_ file: String) throws {
        let expected = try #require(RuleID(rawValue: String(file.prefix { $0 != "-" }).uppercased()))
        let workspace = try InputDocument.load(Workspace.self, from: Self.invalidDirectory.appendingPathComponent(file))
        let report = ConnectionRules(catalog: catalog).validate(workspace)
        #expect(!report.errors.isEmpty)
        #expect(Set(report.errors.map(\.rule)) == [expected])
    }

    @Test("there is an invalid fixture for every connection rule that can be broken")
    func everyRuleHasAFixture() {
        let covered = Set(
            Self.invalidFiles.compactMap { RuleID(rawValue: String($0.prefix { $0 != "-" }).uppercased()) })
        // R12 (copy settings) and R14 (enabled toggle) are operations and behaviour, not constraints.
        #expect(covered == Set(RuleID.allCases).subtracting([.r12, .r14]))
    }
}

@Suite("Reading input documents")
struct InputDocumentTests {
    @Test("a JSON syntax error names its line and column")
    func syntaxError() throws {
        let error = #expect(throws: InputError.self) {
            try InputDocument.load(
                Workspace.self, from: Fixtures.invalidDirectory.appendingPathComponent("malformed.json"))
        }
        #expect(error?.line == 4)
        #expect(error?.column == 3)
        #expect(error?.description.contains("malformed.json:4:3") == true)
    }

    @Test("a wrong value names its JSON path")
    func wrongValue() {
        let json =
            #"{"id": "ws", "sources": [{"id": "web", "kind": "web", "writeKey": "k", "instances": [{"id": "a", "destination": "Amplitude", "mode": "hybrid"}]}]}"#
        let error = #expect(throws: InputError.self) {
            try InputDocument.decode(Workspace.self, from: Data(json.utf8), file: "inline.json")
        }
        #expect(error?.path == "$.sources[0].instances[0].mode")
    }

    @Test("a missing field names its JSON path")
    func missingField() {
        let json = #"{"id": "ws", "sources": [{"id": "web", "kind": "web"}]}"#
        let error = #expect(throws: InputError.self) {
            try InputDocument.decode(Workspace.self, from: Data(json.utf8), file: "inline.json")
        }
        #expect(error?.path == "$.sources[0].writeKey")
    }

    @Test("an inconsistent catalog is refused with its path")
    func badCatalog() {
        let json =
            #"{"destinations": [{"id": "x", "name": "X", "family": "classic", "modes": ["device"], "multiInstance": false}]}"#
        let error = #expect(throws: InputError.self) {
            try InputDocument.decode(Catalog.self, from: Data(json.utf8), file: "catalog.json")
        }
        #expect(error?.path == "$.destinations[0].bundle")
    }

    @Test("optional fields take their documented defaults")
    func defaults() throws {
        let json =
            #"{"id": "ws", "sources": [{"id": "web", "kind": "web", "writeKey": "k", "instances": [{"id": "a", "destination": "Amplitude", "mode": "cloud"}]}]}"#
        let workspace = try InputDocument.decode(Workspace.self, from: Data(json.utf8), file: "inline.json")
        let instance = try #require(workspace.sources.first?.instances.first)
        #expect(instance.name == "Amplitude")
        #expect(instance.enabled)
        #expect(workspace.ingestionHost == Workspace.defaultIngestionHost)
    }
}
