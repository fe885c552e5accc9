import TestSupport
import Testing

@testable import ManifestBuilder

@Suite("Connection rules")
struct ConnectionRulesTests {
    let rules = TestCatalog.rules

    @Test("R1: names are unique per source, trimmed and case-insensitive")
    func uniqueNames() {
        let report = rules.validate(
            workspace(
                source(
                    "web", .web,
                    [
                        instance("a1", "Amplitude", .cloud, name: "Amplitude"),
                        instance("a2", "Amplitude", .cloud, name: " amplitude "),
                    ])))
        #expect(report.errorRules == [.r1])
        #expect(report.errors[0].path == "$.sources[0].instances[1].name")
        #expect(report.errors[0].instance == " amplitude ")
    }

    @Test("R1: the same name on two sources is fine")
    func sameNameOtherSource() {
        let report = rules.validate(
            workspace(
                source("web", .web, [instance("a1", "Amplitude", .cloud, name: "Amplitude")]),
                source("app", .mobile, [instance("a2", "Amplitude", .cloud, name: "Amplitude")])))
        #expect(report.isValid)
    }

    @Test("R1: an unnamed instance is named after its destination, so a second one collides")
    func unnamedInstances() {
        let unnamed = DestinationInstance(
            id: "a1", name: "  ", destination: "Amplitude", mode: .cloud,
            settings: ["apiKey": "k"])
        #expect(unnamed.name == "Amplitude")
        var second = unnamed
        second.id = "a2"
        #expect(rules.validate(workspace(source("web", .web, [unnamed, second]))).errorRules == [.r1])
    }

    @Test("R2: 25 cloud + 1 device instances on a web source are fine; the 26th cloud one is not")
    func cloudFanOut() {
        let cloud = (1...25).map { instance("c\($0)", "Amplitude", .cloud) }
        let device = instance("d", "Amplitude", .device)
        #expect(rules.validate(workspace(source("web", .web, cloud + [device]))).isValid)

        let report = rules.validate(
            workspace(source("web", .web, cloud + [device, instance("c26", "Amplitude", .cloud)])))
        #expect(report.errorRules == [.r2])
        #expect(report.errors[0].path == "$.sources[0].instances[26]")
        #expect(report.errors[0].instance == "c26")
    }

    @Test("R3: a second device-mode instance on a web source is rejected")
    func oneDeviceInstance() {
        let report = rules.validate(
            workspace(
                source(
                    "web", .web,
                    [
                        instance("m1", "Mixpanel", .device, name: "Mixpanel"),
                        instance("m2", "Mixpanel", .device, name: "Mixpanel EU"),
                    ])))
        #expect(report.errorRules == [.r3])
        #expect(report.errors[0].message.contains("already has a device-mode instance of Mixpanel ('Mixpanel')"))
        #expect(report.errors[0].message.contains("a web source can bundle only one copy of a destination's SDK"))
    }

    @Test(
        "R4: a device-only destination connects at most once, whatever the source kind",
        arguments: [SourceKind.web, .mobile, .project])
    func deviceOnly(kind: SourceKind) {
        let report = rules.validate(
            workspace(
                source(
                    "s", kind,
                    [
                        instance("g1", "Google Tag Manager", .device),
                        instance("g2", "Google Tag Manager", .device),
                    ])))
        #expect(report.errorRules == [.r4])
    }

    @Test(
        "R5: two instances of a cloud-only destination on a mobile or project source are fine",
        arguments: [SourceKind.mobile, .project])
    func mobileCloudOnly(kind: SourceKind) {
        let report = rules.validate(
            workspace(
                source(
                    "app", kind,
                    [
                        instance("w1", "Webhooks", .cloud), instance("w2", "Webhooks", .cloud),
                    ])))
        #expect(report.isValid)
    }

    @Test(
        "R5: two instances of a hybrid destination on a mobile or project source are not",
        arguments: [SourceKind.mobile, .project])
    func mobileHybrid(kind: SourceKind) {
        let report = rules.validate(
            workspace(
                source(
                    "app", kind,
                    [
                        instance("a1", "Amplitude", .cloud), instance("a2", "Amplitude", .cloud),
                    ])))
        #expect(report.errorRules == [.r5])
        #expect(report.warnings.isEmpty)
    }

    @Test("R5: a bundled instance beside other instances on a mobile source also warns")
    func mobileBundledWarning() {
        let report = rules.validate(
            workspace(
                source(
                    "app", .mobile,
                    [
                        instance("a1", "Amplitude", .device), instance("a2", "Amplitude", .cloud),
                    ])))
        #expect(report.errorRules == [.r5])
        #expect(report.warnings.map(\.rule) == [.r5])
        #expect(report.warnings[0].instance == "a1")
        #expect(report.warnings[0].severity == .warning)
    }

    @Test("R6: a destination without multi-instance support connects at most once")
    func noMultiInstance() {
        let report = rules.validate(
            workspace(
                source(
                    "web", .web,
                    [
                        instance("k1", "Marketo V2", .cloud), instance("k2", "Marketo V2", .cloud),
                    ])))
        #expect(report.errorRules == [.r6])
    }

    @Test("R7: Amplitude Actions twice is fine on web and server sources", arguments: [SourceKind.web, .server])
    func amplitudeActionsAllowed(kind: SourceKind) {
        let report = rules.validate(
            workspace(
                source(
                    "s", kind,
                    [
                        instance("a1", "Amplitude (Actions)", .cloud), instance("a2", "Amplitude (Actions)", .cloud),
                    ])))
        #expect(report.isValid)
    }

    @Test("R7: Amplitude Actions twice on a mobile source is not")
    func amplitudeActionsMobile() {
        let report = rules.validate(
            workspace(
                source(
                    "app", .mobile,
                    [
                        instance("a1", "Amplitude (Actions)", .cloud), instance("a2", "Amplitude (Actions)", .cloud),
                    ])))
        #expect(report.errorRules == [.r7])
    }

    @Test("R7: Braze Cloud Actions has no multi-instance support")
    func brazeCloudActions() {
        let report = rules.validate(
            workspace(
                source(
                    "web", .web,
                    [
                        instance("b1", "Braze Cloud Mode (Actions)", .cloud),
                        instance("b2", "Braze Cloud Mode (Actions)", .cloud),
                    ])))
        #expect(report.errorRules == [.r7])
    }

    @Test("R8: at most one Data Lakes instance per source")
    func dataLakes() {
        let report = rules.validate(
            workspace(
                source(
                    "srv", .server,
                    [
                        instance("l1", "Segment Data Lakes (AWS)", .cloud),
                        instance("l2", "Segment Data Lakes (Azure)", .cloud),
                    ])))
        #expect(report.errorRules == [.r8])
        #expect(report.errors[0].destination == "Segment Data Lakes (Azure)")
    }

    @Test("R9: a server source has no device-mode instance")
    func serverCloudOnly() {
        let report = rules.validate(workspace(source("srv", .server, [instance("m1", "Mixpanel", .device)])))
        #expect(report.errorRules == [.r9])
        #expect(report.errors[0].path == "$.sources[0].instances[0].mode")
    }

    @Test("R10: the mode must be one the destination supports")
    func modeSupported() {
        let report = rules.validate(workspace(source("web", .web, [instance("w1", "Webhooks", .device)])))
        #expect(report.errorRules == [.r10])
        #expect(report.errors[0].message.contains("supports only cloud mode"))
    }

    @Test("R11: required, typed and known settings")
    func settings() {
        let report = rules.validate(
            workspace(
                source(
                    "web", .web,
                    [
                        instance("a1", "Amplitude", .cloud, settings: ["trackPages": "yes", "colour": "red"])
                    ])))
        #expect(report.errorRules == [.r11, .r11, .r11])
        let messages = report.errors.map(\.message)
        #expect(messages[0].contains("missing the required setting 'apiKey' (string)"))
        #expect(
            report.errors.map(\.path) == [
                "$.sources[0].instances[0].settings.apiKey",
                "$.sources[0].instances[0].settings.colour",
                "$.sources[0].instances[0].settings.trackPages",
            ])
        #expect(messages[1].contains("known settings: apiKey, batchSize, sampleRate, secretKey, trackPages"))
        #expect(messages[2].contains("must be a boolean, not a string"))
    }

    @Test("R11: numbers accept integers, optional settings may be null")
    func settingsTypes() {
        let report = rules.validate(
            workspace(
                source(
                    "web", .web,
                    [
                        instance(
                            "a1", "Amplitude", .cloud, settings: ["apiKey": "k", "sampleRate": 1, "secretKey": nil]),
                        instance("a2", "Amplitude", .cloud, settings: ["apiKey": "k", "batchSize": 1.5]),
                    ])))
        #expect(report.errorRules == [.r11])
        #expect(report.errors[0].instance == "a2")
    }

    @Test("R13: an instance belongs to exactly one source")
    func oneSourcePerInstance() {
        let report = rules.validate(
            workspace(
                source("web", .web, [instance("shared", "Webhooks", .cloud)]),
                source("app", .mobile, [instance("shared", "Webhooks", .cloud)])))
        #expect(report.errorRules == [.r13])
        #expect(report.errors[0].path == "$.sources[1].instances[0].id")
    }

    @Test("W1: write keys identify one source")
    func uniqueWriteKeys() {
        var second = source("app", .mobile, [])
        second.writeKey = "wk_web"
        let report = rules.validate(workspace(source("web", .web, []), second))
        #expect(report.errorRules == [.w1])
    }

    @Test("W2: a catalog source is never picked as a destination")
    func sourceIsNotADestination() {
        let report = rules.validate(workspace(source("web", .web, [instance("z", "Zendesk", .cloud)])))
        #expect(report.errorRules == [.w2])
        #expect(report.errors[0].message.contains("'Zendesk' is a source in the catalog, not a destination"))
    }

    @Test("Every violation is reported at once, errors apart from warnings")
    func allViolations() {
        let report = rules.validate(
            workspace(
                source(
                    "web", .web,
                    [
                        instance("a1", "Amplitude", .cloud, name: "Same"),
                        instance("w1", "Webhooks", .device, name: "same"),
                    ]),
                source("srv", .server, [instance("m1", "Mixpanel", .device, settings: [:])]),
                source("app", .mobile, [instance("x1", "Amplitude", .device), instance("x2", "Amplitude", .cloud)])))
        #expect(Set(report.errorRules) == [.r1, .r10, .r9, .r11, .r5])
        #expect(report.errors.count == 5)
        #expect(report.warnings.map(\.rule) == [.r5])
    }

    @Test("validating some sources reports only what involves them")
    func partialValidation() {
        var app = source("app", .mobile, [instance("a1", "Amplitude", .cloud), instance("a2", "Amplitude", .cloud)])
        app.writeKey = "wk_web"
        let ws = workspace(
            source("web", .web, [instance("w1", "Webhooks", .device)]),
            app,
            source(
                "other", .web,
                [instance("g1", "Google Tag Manager", .device), instance("g2", "Google Tag Manager", .device)]))
        #expect(Set(rules.validate(ws).errorRules) == [.r10, .w1, .r5, .r4])
        #expect(Set(rules.validate(ws, sources: ["web"]).errorRules) == [.w1, .r10])
        #expect(rules.validate(ws, sources: ["other"]).errorRules == [.r4])
        #expect(Set(rules.validate(ws, sources: ["app"]).errorRules) == [.w1, .r5])
        #expect(rules.validate(ws, sources: []).isValid)
    }

    @Test("with an index, clashes with other sources are found by lookup")
    func indexedPartialValidation() {
        let before = workspace(
            source("web", .web, [instance("w1", "Webhooks", .cloud)]),
            source("app", .mobile, [instance("a1", "Amplitude", .cloud)]))
        let index = WorkspaceIndex(before)
        var edited = before
        edited.sources[0].instances.append(instance("a1", "Amplitude", .cloud))
        edited.sources[0].writeKey = "wk_app"
        let report = rules.validate(edited, sources: ["web"], index: index)
        #expect(report.errorRules == [.w1, .r13])
        #expect(report.errors[1].path == "$.sources[0].instances[1].id")
        #expect(report.errors[1].message.contains("already belongs to source 'App'"))
        #expect(rules.validate(before, sources: ["web"], index: index).isValid)
        #expect(rules.validate(edited, sources: ["web"]).errors == report.errors)
    }
}
