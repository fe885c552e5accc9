import Foundation
import ManifestBuilder
import Testing

@testable import ManifestControl

/// Tokens are tied to one workspace: another workspace's resources look missing, a read token
/// cannot write, a revoked or wrong token is refused, and only the hash is stored.
@Suite struct TokenScopeTests {
    static let store = "/v1/workspaces/ws_acme/sources/src_acme_web_store"

    @Test func aTokenOfAnotherWorkspaceSeesNothing() async throws {
        try await withControlPlane { harness, client in
            let other = client.with(token: try await harness.token(.write, workspace: "ws_rules"))
            let foreign = try await other.get(Self.store)
            let missing = try await other.get("/v1/workspaces/ws_nowhere/sources/src_acme_web_store")
            #expect(foreign.status == 404)
            #expect(foreign["detail"] == "No workspace 'ws_acme'.")
            #expect(missing["detail"] == "No workspace 'ws_nowhere'.")
            #expect(try await other.get("/v1/workspaces/ws_acme/audit").status == 404)
            #expect(try await other.delete(Self.store).status == 404)
            #expect(try await harness.store.workspace(id: "ws_acme")?.workspace.source(id: "src_acme_web_store") != nil)
        }
    }

    @Test func aReadTokenCannotWrite() async throws {
        try await withControlPlane { harness, client in
            let reader = client.with(token: try await harness.token(.read, workspace: "ws_acme"))
            #expect(try await reader.get(Self.store).status == 200)
            let refused = try await reader.patch(Self.store, ["displayName": "Mine"])
            #expect(refused.status == 403)
            #expect(refused.header(.contentType) == "application/problem+json")
            #expect(try await reader.delete(Self.store + "/destinations/di_acme_store_hotjar").status == 403)
            #expect(
                try await reader.post(Self.store + "/destinations", ["destination": "heap", "mode": "cloud"]).status
                    == 403)
        }
    }

    @Test func missingWrongAndRevokedTokensAreUnauthorized() async throws {
        try await withControlPlane { harness, client in
            let token = try await harness.token(.write, workspace: "ws_acme")
            let parsed = try #require(BearerToken(parsing: token))
            let wrongSecret = BearerToken(id: parsed.id, secret: String(parsed.secret.reversed())).text
            for candidate in [nil, "nonsense", "mdt_000000000000_abc", wrongSecret] {
                let reply = try await client.with(token: candidate).get(Self.store)
                #expect(reply.status == 401)
                #expect(reply.header(.wwwAuthenticate)?.hasPrefix("Bearer") == true)
            }
            #expect(try await client.with(token: token).get(Self.store).status == 200)
            #expect(try await TokenService(store: harness.store).revoke(id: parsed.id, now: Date()))
            #expect(try await client.with(token: token).get(Self.store).status == 401)
            #expect(try await client.with(token: token).get("/v1/catalog/destinations").status == 401)
        }
    }

    @Test func onlyTheHashOfTheSecretIsStored() async throws {
        try await withControlPlane(loading: [Fixtures.rules]) { harness, _ in
            let token = try await harness.token(.write, workspace: "ws_rules", name: "ci")
            let secret = try #require(BearerToken(parsing: token)).secret
            let listed = try await TokenService(store: harness.store).list(workspace: "ws_rules")
            #expect(listed.map(\.name) == ["ci"])
            #expect(harness.databaseBytes().range(of: Data(secret.utf8)) == nil)
        }
    }

    @Test func tokensCannotBeMadeForUnknownWorkspaces() async throws {
        try await withControlPlane(loading: []) { harness, _ in
            await #expect(throws: WorkspaceStoreError.unknownWorkspace("ws_x")) {
                _ = try await harness.token(.read, workspace: "ws_x")
            }
        }
    }

    @Test func comparisonIsConstantTimeShaped() {
        #expect(ConstantTime.equal([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2]))
    }
}
