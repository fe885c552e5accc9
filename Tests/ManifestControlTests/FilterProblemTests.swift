import Foundation
import ManifestBuilder
import Testing

@testable import ManifestControl

/// Issue 15: saving a destination whose filter is not valid FQL is refused with rule F1, a
/// pointer to that filter's condition and the character where it goes wrong, and nothing is
/// stored or published.
@Suite struct FilterProblemTests {
    static let rulesWeb = "/v1/workspaces/ws_rules/sources/web/destinations"
    static let store = "/v1/workspaces/ws_acme/sources/src_acme_web_store/destinations"

    static func filter(_ condition: String, name: String = "bad") -> JSONValue {
        ["name": .string(name), "if": .string(condition), "action": ["type": "drop"]]
    }

    /// The one violation of a refused write: F1, at `pointer`, naming the character and what
    /// was expected there.
    func expectF1(_ refused: Reply, pointer: String, character: Int, sourceLocation: SourceLocation = #_sourceLocation)
    {
        #expect(refused.status == 422, "\(refused.text)", sourceLocation: sourceLocation)
        #expect(refused.header(.contentType) == "application/problem+json", sourceLocation: sourceLocation)
        let violations = refused["violations"]?.arrayValue ?? []
        #expect(violations.count == 1, "\(refused.text)", sourceLocation: sourceLocation)
        let violation = violations.first
        #expect(violation?["rule"] == "F1", sourceLocation: sourceLocation)
        #expect(violation?["pointer"] == .string(pointer), sourceLocation: sourceLocation)
        let message = violation?["message"]?.stringValue ?? ""
        #expect(message.contains("at character \(character):"), "\(message)", sourceLocation: sourceLocation)
        #expect(message.contains("expected a value"), "\(message)", sourceLocation: sourceLocation)
    }

    @Test func creatingADestinationWithAnInvalidFilterIsRefusedWithItsPosition() async throws {
        try await withControlPlane { harness, client in
            let api = client.with(token: try await harness.token(.write, workspace: "ws_rules"))
            let before = try await harness.store.workspace(id: "ws_rules")!
            let published = try await harness.origin.latest(writeKey: "wk_rules_web")?.version
            let refused = try await api.post(
                Self.rulesWeb,
                [
                    "id": "mp_filtered", "destination": "mixpanel", "mode": "device", "settings": ["token": "a"],
                    "filters": [Self.filter("event = ")],
                ])
            // "event = " is 8 characters: the value is missing at character 9, its end.
            expectF1(refused, pointer: "/filters/0/if", character: 9)
            try OpenAPIChecker.check(refused, "POST", "/v1/workspaces/{workspace}/sources/{source}/destinations")
            #expect(try await harness.store.workspace(id: "ws_rules")! == before, "nothing stored")
            #expect(try await api.get(Self.rulesWeb + "/mp_filtered").status == 404)
            #expect(try await harness.origin.latest(writeKey: "wk_rules_web")?.version == published, "not published")
        }
    }

    @Test func updatingAFilterToInvalidFQLIsRefusedAndChangesNothing() async throws {
        try await withControlPlane { harness, client in
            let api = client.with(token: try await harness.token(.write, workspace: "ws_acme"))
            let path = Self.store + "/di_acme_store_amplitude"
            let shown = try await api.get(path)
            #expect(shown.status == 200)
            let before = try await harness.store.workspace(id: "ws_acme")!
            let published = try await harness.origin.latest(writeKey: "wk_acme_web_store_3f9a")?.version
            #expect(published != nil)
            // The second filter goes wrong at the second "=" (character 19): a comparison needs a value first.
            let refused = try await api.patch(
                path,
                ["filters": [Self.filter("event = \"Test\"", name: "ok"), Self.filter("type = \"track\" or = 1")]])
            expectF1(refused, pointer: "/filters/1/if", character: 19)
            try OpenAPIChecker.check(
                refused, "PATCH", "/v1/workspaces/{workspace}/sources/{source}/destinations/{instance}")
            #expect(try await harness.store.workspace(id: "ws_acme")! == before, "nothing stored")
            #expect(try await api.get(path).json == shown.json, "the destination is unchanged")
            #expect(
                try await harness.origin.latest(writeKey: "wk_acme_web_store_3f9a")?.version == published,
                "not published")
        }
    }
}
