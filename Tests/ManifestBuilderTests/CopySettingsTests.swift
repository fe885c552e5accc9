import ManifestBuilder
import TestSupport
import Testing

@Suite("R12: copy settings")
struct CopySettingsTests {
    let rules = TestCatalog.rules
    let original = workspace(
        source(
            "web", .web,
            [
                instance(
                    "amp-na", "Amplitude", .cloud, name: "Amplitude North America",
                    settings: ["apiKey": "na-key", "secretKey": "s3cret", "trackPages": true])
            ]),
        source("app", .mobile, [instance("gtm", "Google Tag Manager", .device)]))

    @Test("copies the settings into a new instance on another source, disabled until switched on")
    func copyToOtherSource() throws {
        let changed = try original.copyingSettings(
            from: "amp-na", to: "app", name: "Amplitude App", id: "amp-app", rules: rules)
        let copy = try #require(changed.source(id: "app")?.instances.last)
        #expect(copy.id == "amp-app")
        #expect(copy.name == "Amplitude App")
        #expect(copy.destination == "Amplitude")
        #expect(copy.settings == ["apiKey": "na-key", "secretKey": "s3cret", "trackPages": true])
        #expect(!copy.enabled)
        #expect(rules.validate(changed).isValid)
    }

    @Test("the copy still needs its own unique name (R1)")
    func copyNeedsUniqueName() {
        #expect(throws: CopySettingsError.self) {
            try original.copyingSettings(
                from: "amp-na", to: "web", name: "amplitude north america ",
                id: "amp-2", rules: rules)
        }
        do {
            _ = try original.copyingSettings(
                from: "amp-na", to: "web", name: "Amplitude North America",
                id: "amp-2", rules: rules)
        } catch {
            guard case .violations(let violations) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(violations.map(\.rule) == [.r1])
        }
    }

    @Test("a copy that breaks a connection rule is refused")
    func copyBreakingRule() {
        do {
            _ = try original.copyingSettings(from: "gtm", to: "app", name: "GTM 2", id: "gtm-2", rules: rules)
            Issue.record("copy should have been refused")
        } catch {
            guard case .violations(let violations) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(violations.map(\.rule) == [.r4])
        }
    }

    @Test("unknown instance or source")
    func unknownIds() {
        #expect(throws: CopySettingsError.unknownInstance(id: "nope")) {
            try original.copyingSettings(from: "nope", to: "web", name: "X", id: "x", rules: rules)
        }
        #expect(throws: CopySettingsError.unknownSource(id: "nope")) {
            try original.copyingSettings(from: "amp-na", to: "nope", name: "X", id: "x", rules: rules)
        }
    }
}
