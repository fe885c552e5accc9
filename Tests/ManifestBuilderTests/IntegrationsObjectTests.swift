import ManifestBuilder
import TestSupport
import Testing

@Suite("The integrations object")
struct IntegrationsObjectTests {
    static let site = source(
        "web", .web,
        [
            instance("mp-us", "Mixpanel", .device, name: "Mixpanel US"),
            instance("mp-eu", "Mixpanel", .cloud, name: "Mixpanel EU"),
            instance("amp", "Amplitude", .cloud),
            instance("hook", "Webhooks", .cloud),
            instance("off", "Webhooks", .cloud, enabled: false),
        ])

    struct Case: CustomTestStringConvertible, Sendable {
        var title: String
        var integrations: [String: JSONValue]
        var expected: [String: [String: JSONValue]]
        var testDescription: String { title }
    }

    static let cases: [Case] = [
        Case(
            title: "empty: every enabled instance", integrations: [:],
            expected: ["mp-us": [:], "mp-eu": [:], "amp": [:], "hook": [:]]),
        Case(
            title: "Mixpanel: false turns every Mixpanel instance off", integrations: ["Mixpanel": false],
            expected: ["amp": [:], "hook": [:]]),
        Case(
            title: "All: false keeps only those set truthy", integrations: ["All": false, "Amplitude": true],
            expected: ["amp": [:]]),
        Case(
            title: "All: false with an options object enables that destination",
            integrations: ["All": false, "Mixpanel": ["region": "eu"]],
            expected: ["mp-us": ["region": "eu"], "mp-eu": ["region": "eu"]]),
        Case(
            title: "an options object reaches every instance of the destination",
            integrations: ["Mixpanel": ["marketingCloudVisitorId": "12345"]],
            expected: [
                "mp-us": ["marketingCloudVisitorId": "12345"], "mp-eu": ["marketingCloudVisitorId": "12345"],
                "amp": [:], "hook": [:],
            ]),
        Case(
            title: "instance names address nothing", integrations: ["All": false, "Mixpanel EU": true],
            expected: [:]),
        Case(
            title: "a disabled instance receives nothing even when asked for",
            integrations: ["All": false, "Webhooks": true],
            expected: ["hook": [:]]),
        Case(
            title: "All: true is the default", integrations: ["All": true, "Webhooks": false],
            expected: ["mp-us": [:], "mp-eu": [:], "amp": [:]]),
    ]

    @Test(arguments: cases)
    func deliveries(_ testCase: Case) {
        let deliveries = IntegrationsObject.deliveries(for: Self.site, integrations: testCase.integrations)
        let byID = Dictionary(uniqueKeysWithValues: deliveries.map { ($0.instance.id, $0.options) })
        #expect(byID == testCase.expected)
    }
}
