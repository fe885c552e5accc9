import Foundation
import ManifestBuilder
import Testing

@testable import ManifestControl

/// Every rule a write can break, reached through the API: a 422 problem document carrying
/// each violation with its rule id, a JSON pointer into the request and the CLI's sentence,
/// and nothing changed.
@Suite struct RuleProblemTests {
    static func path(_ source: String) -> String { "/v1/workspaces/ws_rules/sources/\(source)/destinations" }

    /// Adds instances until the last one, which must be refused with `rule`.
    func expectRefusal(
        _ rule: String, on source: String, pointer: String = "", bodies: [JSONValue],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        try await withControlPlane { harness, client in
            let api = client.with(token: try await harness.token(.write, workspace: "ws_rules"))
            for body in bodies.dropLast() {
                let reply = try await api.post(Self.path(source), body)
                #expect(reply.status == 201, "setup: \(reply.text)", sourceLocation: sourceLocation)
            }
            let before = try await harness.store.workspace(id: "ws_rules")!
            let refused = try await api.post(Self.path(source), bodies.last!)
            #expect(refused.status == 422, sourceLocation: sourceLocation)
            #expect(refused.header(.contentType) == "application/problem+json", sourceLocation: sourceLocation)
            try OpenAPIChecker.check(refused, "POST", "/v1/workspaces/{workspace}/sources/{source}/destinations")
            let violation = try #require(refused["violations"]?[0], sourceLocation: sourceLocation)
            #expect(violation["rule"] == .string(rule), "\(refused.text)", sourceLocation: sourceLocation)
            #expect(violation["pointer"] == .string(pointer), sourceLocation: sourceLocation)
            #expect(violation["message"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
            #expect(
                refused["type"] == "https://manifest-delivery.dev/problems/rule-violation",
                sourceLocation: sourceLocation)
            #expect(
                try await harness.store.workspace(id: "ws_rules")! == before, "nothing changed",
                sourceLocation: sourceLocation)
        }
    }

    static func webhooks(_ index: Int) -> JSONValue {
        [
            "destination": "webhooks", "displayName": .string("Hook \(index)"), "mode": "cloud",
            "settings": ["hooks": []],
        ]
    }

    @Test func r2TheTwentySixthCloudInstanceIsRefused() async throws {
        try await expectRefusal("R2", on: "web", bodies: (1...26).map(Self.webhooks))
    }

    @Test func r3ASecondDeviceInstanceOnAWebSourceIsRefused() async throws {
        let first: JSONValue = ["destination": "mixpanel", "mode": "device", "settings": ["token": "a"]]
        let second: JSONValue = [
            "destination": "mixpanel", "displayName": "Mixpanel EU", "mode": "device", "settings": ["token": "b"],
        ]
        try await expectRefusal("R3", on: "web", bodies: [first, second])
    }

    @Test func r4ADeviceOnlyDestinationHasOneInstance() async throws {
        let first: JSONValue = [
            "destination": "google-tag-manager", "mode": "device", "settings": ["containerId": "GTM-1"],
        ]
        let second: JSONValue = [
            "destination": "google-tag-manager", "displayName": "GTM 2", "mode": "device",
            "settings": ["containerId": "GTM-2"],
        ]
        try await expectRefusal("R4", on: "web", bodies: [first, second])
    }

    @Test func r5MobileSourcesTakeOneInstanceOfAHybridDestination() async throws {
        let first: JSONValue = ["destination": "amplitude", "mode": "cloud", "settings": ["apiKey": "a"]]
        let second: JSONValue = [
            "destination": "amplitude", "displayName": "Amplitude 2", "mode": "cloud", "settings": ["apiKey": "b"],
        ]
        try await expectRefusal("R5", on: "ios", bodies: [first, second])
    }

    @Test func r6ADestinationWithoutMultiInstanceHasOne() async throws {
        let body: (Int) -> JSONValue = { index in
            [
                "destination": "salesforce-marketing-cloud", "displayName": .string("SFMC \(index)"), "mode": "cloud",
                "settings": ["clientId": "c", "clientSecret": "s", "subdomain": "d"],
            ]
        }
        try await expectRefusal("R6", on: "srv", bodies: [body(1), body(2)])
    }

    @Test func r7AmplitudeActionsHasNoMultiInstanceOnMobile() async throws {
        let body: (Int) -> JSONValue = { index in
            [
                "destination": "actions-amplitude", "displayName": .string("Amp \(index)"), "mode": "cloud",
                "settings": ["apiKey": "a", "secretKey": "s"],
            ]
        }
        try await expectRefusal("R7", on: "proj", bodies: [body(1), body(2)])
    }

    @Test func r9AServerSourceIsCloudOnly() async throws {
        try await expectRefusal(
            "R9", on: "srv", pointer: "/mode",
            bodies: [
                ["destination": "mixpanel", "mode": "device", "settings": ["token": "a"]]
            ])
    }

    @Test func r10TheModeMustBeSupported() async throws {
        try await expectRefusal(
            "R10", on: "web", pointer: "/mode",
            bodies: [
                ["destination": "hotjar", "mode": "cloud", "settings": ["hjid": "1"]]
            ])
    }

    @Test func r11SettingsFollowTheSchemaAndEveryViolationIsReported() async throws {
        try await withControlPlane { harness, client in
            let api = client.with(token: try await harness.token(.write, workspace: "ws_rules"))
            let refused = try await api.post(
                Self.path("web"),
                [
                    "destination": "amplitude", "mode": "device",
                    "settings": ["trackAllPages": "yes", "colour": "blue", "eventUploadThreshold": 1.5],
                ])
            #expect(refused.status == 422)
            let pointers = Set(refused["violations"]?.arrayValue?.compactMap { $0["pointer"]?.stringValue } ?? [])
            #expect(
                pointers == [
                    "/settings/apiKey", "/settings/trackAllPages", "/settings/colour", "/settings/eventUploadThreshold",
                ])
            #expect(refused["violations"]?.arrayValue?.allSatisfy { $0["rule"] == "R11" } == true)
        }
    }

    @Test func r1NamesAreUniqueWithinASource() async throws {
        try await expectRefusal(
            "R1", on: "web", pointer: "/displayName",
            bodies: [
                ["destination": "webhooks", "displayName": "Orders", "mode": "cloud", "settings": ["hooks": []]],
                ["destination": "slack", "displayName": " orders ", "mode": "cloud", "settings": ["webhookUrl": "u"]],
            ])
    }

    @Test func r8OneDataLakePerSource() async throws {
        try await expectRefusal(
            "R8", on: "srv",
            bodies: [
                [
                    "destination": "segment-data-lakes-aws", "mode": "cloud",
                    "settings": ["s3Bucket": "b", "region": "r", "iamRoleArn": "a"],
                ],
                [
                    "destination": "segment-data-lakes-azure", "mode": "cloud",
                    "settings": ["storageAccountName": "s", "containerName": "c", "region": "r"],
                ],
            ])
    }

    @Test func r12CopySettingsOnlyBetweenInstancesOfOneDestination() async throws {
        try await withControlPlane { harness, client in
            let api = client.with(token: try await harness.token(.write, workspace: "ws_acme"))
            let store = "/v1/workspaces/ws_acme/sources/src_acme_web_store/destinations"
            let refused = try await api.post(
                store + "/di_acme_store_mixpanel/copy-settings",
                ["from": "workspaces/ws_acme/sources/src_acme_web_store/destinations/di_acme_store_hotjar"])
            #expect(refused.status == 422)
            #expect(refused["violations"]?[0]?["rule"] == "R12")
            #expect(refused["violations"]?[0]?["pointer"] == "/from")
        }
    }

    @Test func r13AnInstanceIdBelongsToOneSource() async throws {
        try await withControlPlane { harness, client in
            let api = client.with(token: try await harness.token(.write, workspace: "ws_acme"))
            let refused = try await api.post(
                "/v1/workspaces/ws_acme/sources/src_acme_web_docs/destinations",
                [
                    "id": "di_acme_store_slack", "destination": "slack", "displayName": "Ops", "mode": "cloud",
                    "settings": ["webhookUrl": "u"],
                ])
            #expect(refused.status == 422)
            #expect(refused["violations"]?[0]?["rule"] == "R13")
            #expect(refused["violations"]?[0]?["pointer"] == "/id")
        }
    }

    @Test func w1WriteKeysAreUnique() async throws {
        try await withControlPlane { harness, client in
            let api = client.with(token: try await harness.token(.write, workspace: "ws_acme"))
            let refused = try await api.post(
                "/v1/workspaces/ws_acme/sources",
                [
                    "displayName": "Copy", "kind": "web", "writeKey": "wk_acme_web_store_3f9a",
                ])
            #expect(refused.status == 422)
            #expect(refused["violations"]?[0]?["rule"] == "W1")
            #expect(refused["violations"]?[0]?["pointer"] == "/writeKey")
        }
    }

    @Test func anUpdateIsCheckedToo() async throws {
        try await withControlPlane { harness, client in
            let api = client.with(token: try await harness.token(.write, workspace: "ws_acme"))
            let path = "/v1/workspaces/ws_acme/sources/src_acme_web_store/destinations/di_acme_store_amplitude_na"
            let refused = try await api.patch(path, ["mode": "device"])
            #expect(refused.status == 422)
            #expect(refused["violations"]?[0]?["rule"] == "R3")
            try OpenAPIChecker.check(
                refused, "PATCH", "/v1/workspaces/{workspace}/sources/{source}/destinations/{instance}")
        }
    }
}
