import Foundation
import Testing

@testable import ManifestBuilder
@testable import ManifestControl

/// Secret settings are write-only: no response, log line, audit record or database byte ever
/// holds one in clear. A property test over random secret values and operations.
@Suite struct SecretsTests {
    /// Random secret-looking text that cannot occur by chance in anything else.
    static func secret(_ generator: inout SplitMix64) -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789+/=-_")
        return "S3CR3T-"
            + String(
                (0..<Int.random(in: 12...40, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            )
    }

    /// The secrets one round sends: at create, the rotation, and one in a refused write.
    struct Round: Sendable {
        var password: String
        var token: String
        var rotated: String
        var refused: String
        var enabled: Bool

        var all: [String] { [password, token, rotated, refused] }
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func secretsNeverLeave(seed: UInt64) async throws {
        var generator = SplitMix64(seed: seed)
        let rounds = (0..<8).map { _ in
            Round(
                password: Self.secret(&generator), token: Self.secret(&generator), rotated: Self.secret(&generator),
                refused: Self.secret(&generator), enabled: Bool.random(using: &generator))
        }
        let secrets = rounds.flatMap(\.all)
        let (replies, logs) = try await withControlPlane { harness, client in
            let api = client.with(token: try await harness.token(.write, workspace: "ws_rules"))
            let replies = try await Self.exercise(api, rounds)
            let stored = try await harness.store.workspace(id: "ws_rules")!.workspace
            let kept = stored.source(id: "srv")!.instances.first { $0.id == "sf1" }!
            #expect(
                kept.settings["securityToken"] == .string(rounds[0].token), "the mask kept the stored (copied) secret")
            #expect(kept.settings["password"] == .string(rounds[1].rotated))
            let audit = try await harness.store.auditRecords(workspace: "ws_rules", after: 0, limit: 200)
            let rotation = try #require(audit.first { $0.action == "destination.update" })
            #expect(rotation.changes.contains("/settings/password"), "a rotated secret shows as changed")
            #expect(rotation.after?["settings"]?["password"] == .string(SecretMasker.changedMask))
            #expect(!rotation.changes.contains("/settings/securityToken"), "a secret sent as the mask is unchanged")
            let database = harness.databaseBytes()
            for secret in secrets {
                #expect(database.range(of: Data(secret.utf8)) == nil, "database holds a secret in clear")
            }
            let export = try await harness.transfer.exportWorkspace(id: "ws_rules")
            #expect(export.range(of: Data(rounds[0].token.utf8)) != nil, "export is lossless, secrets included")
            return (replies, harness.logs.all)
        }
        for reply in replies {
            for secret in secrets { #expect(!reply.text.contains(secret)) }
        }
        let logText = logs.joined(separator: "\n")
        #expect(!logText.isEmpty)
        for secret in secrets { #expect(!logText.contains(secret)) }
    }

    /// Creates, rotates, reads, copies and fails to update Salesforce instances carrying secrets.
    static func exercise(_ api: APIClient, _ rounds: [Round]) async throws -> [Reply] {
        var replies: [Reply] = []
        let base = "/v1/workspaces/ws_rules/sources/srv/destinations"
        for (index, round) in rounds.enumerated() {
            let body: JSONValue = [
                "id": .string("sf\(index)"), "destination": "salesforce", "displayName": .string("SF \(index)"),
                "mode": "cloud", "enabled": .bool(round.enabled),
                "settings": [
                    "username": "u", "password": .string(round.password), "securityToken": .string(round.token),
                ],
            ]
            replies.append(try await api.post(base, body))
            let path = base + "/sf\(index)"
            if index > 0 {
                replies.append(
                    try await api.post(
                        path + "/copy-settings", ["from": "workspaces/ws_rules/sources/srv/destinations/sf0"]))
            }
            replies.append(
                try await api.patch(
                    path,
                    [
                        "settings": [
                            "username": "v", "password": .string(round.rotated),
                            "securityToken": .string(SecretMasker.mask),
                        ]
                    ]))
            replies.append(try await api.get(path))
            // A refused write that carries a secret must not echo it either.
            replies.append(try await api.patch(path, ["settings": ["password": .string(round.refused), "bogus": 1]]))
        }
        replies.append(try await api.get(base + "?limit=200"))
        replies.append(try await api.get("/v1/workspaces/ws_rules/audit?limit=200"))
        return replies
    }

    @Test func aCopyOfTheDatabaseWithoutTheKeyFileRevealsNothing() async throws {
        try await withControlPlane(loading: [Fixtures.acme]) { harness, _ in
            let acmeSecret = try #require(
                Fixtures.acme.sources.flatMap(\.instances).compactMap { instance -> String? in
                    guard let entry = Fixtures.catalog.destination(named: instance.destination) else { return nil }
                    return entry.settings.first { $0.secret && instance.settings[$0.name] != nil }
                        .flatMap { instance.settings[$0.name] }.flatMap {
                            if case .string(let text) = $0 { text } else { nil }
                        }
                }.first)
            #expect(harness.databaseBytes().range(of: Data(acmeSecret.utf8)) == nil)
            let attributes = try FileManager.default.attributesOfItem(
                atPath: harness.directory.appendingPathComponent(SecretsKey.fileName).path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
        }
    }
}
