import Foundation
import ManifestBuilder
import Testing

@testable import ManifestControl

/// Each endpoint's happy path over real HTTP, each JSON answer checked against the OpenAPI
/// document's required properties.
@Suite struct HappyPathTests {
    static let sources = "/v1/workspaces/ws_acme/sources"
    static let web = sources + "/src_acme_web_store/destinations"

    @Test func catalogListsSearchesAndDescribesDestinations() async throws {
        try await withControlPlane { harness, client in
            let api = client.with(token: try await harness.token(.read, workspace: "ws_acme"))
            let all = try await api.get("/v1/catalog/destinations?limit=10")
            #expect(all.status == 200)
            #expect(all["items"]?.arrayCount == 10)
            try OpenAPIChecker.check(all, "GET", "/v1/catalog/destinations")
            let next = try #require(all["next"]?.stringValue)
            let second = try await api.get("/v1/catalog/destinations?limit=10&cursor=\(next)")
            #expect(second["items"]?[0]?["id"] != all["items"]?[0]?["id"])

            let search = try await api.get("/v1/catalog/destinations?search=amplitude")
            #expect(search["items"]?.arrayCount == 2)
            let device = try await api.get("/v1/catalog/destinations?mode=device&family=actions")
            #expect(device["items"]?.arrayCount == 6)

            let one = try await api.get("/v1/catalog/destinations/actions-amplitude")
            #expect(one.status == 200)
            try OpenAPIChecker.check(one, "GET", "/v1/catalog/destinations/{destination}")
            #expect(one["multiInstance"]?["web"] == true)
            #expect(one["multiInstance"]?["mobile"] == false)
            #expect(one["settings"]?.arrayCount == 3)
            let gtm = try await api.get("/v1/catalog/destinations/google-tag-manager")
            #expect(gtm["sourceKinds"] == ["web", "mobile", "project"])
            #expect(gtm["multiInstance"]?["web"] == false)
        }
    }

    @Test func catalogSourcesCannotBeMistakenForDestinations() async throws {
        try await withControlPlane { harness, client in
            let api = client.with(token: try await harness.token(.write, workspace: "ws_acme"))
            let sources = try await api.get("/v1/catalog/sources")
            try OpenAPIChecker.check(sources, "GET", "/v1/catalog/sources")
            let customerIO = try #require(sources["items"]?.arrayValue?.first { $0["name"] == "Customer.io" })
            #expect(customerIO["addableAsDestination"] == false)
            #expect(customerIO["destinationWithSameName"] == "customer-io")
            let asDestination = try await api.get("/v1/catalog/destinations/source-customer-io")
            #expect(asDestination.status == 404)
            let added = try await api.post(Self.web, ["destination": "source-customer-io", "mode": "cloud"])
            #expect(added.status == 422)
            #expect(added["violations"]?[0]?["rule"] == "W2")
            #expect(added["violations"]?[0]?["pointer"] == "/destination")
            #expect(added["violations"]?[0]?["message"]?.stringValue?.contains("'customer-io'") == true)
        }
    }

    @Test func sourcesCanBeCreatedListedReadRenamedAndDeleted() async throws {
        try await withControlPlane { harness, client in
            let api = client.with(token: try await harness.token(.write, workspace: "ws_acme"))
            let created = try await api.post(Self.sources, ["displayName": "Blog", "kind": "web"])
            #expect(created.status == 201)
            try OpenAPIChecker.check(created, "POST", "/v1/workspaces/{workspace}/sources")
            let id = try #require(created["id"]?.stringValue)
            #expect(created.header(.location) == "/v1/workspaces/ws_acme/sources/\(id)")
            #expect(created["writeKey"]?.stringValue?.hasPrefix("wk_") == true)
            #expect(created["manifest"]?["status"] == "published")

            let list = try await api.get(Self.sources + "?limit=3")
            #expect(list["items"]?.arrayCount == 3)
            try OpenAPIChecker.check(list, "GET", "/v1/workspaces/{workspace}/sources")
            let read = try await api.get(Self.sources + "/\(id)")
            try OpenAPIChecker.check(read, "GET", "/v1/workspaces/{workspace}/sources/{source}")
            let etag = try #require(read.header(.eTag))

            let renamed = try await api.patch(
                Self.sources + "/\(id)", ["displayName": "Engineering blog"],
                headers: [.ifMatch: etag])
            #expect(renamed.status == 200)
            #expect(renamed["displayName"] == "Engineering blog")
            try OpenAPIChecker.check(renamed, "PATCH", "/v1/workspaces/{workspace}/sources/{source}")

            let deleted = try await api.delete(Self.sources + "/\(id)")
            #expect(deleted.status == 200)
            try OpenAPIChecker.check(deleted, "DELETE", "/v1/workspaces/{workspace}/sources/{source}")
            #expect(try await api.get(Self.sources + "/\(id)").status == 404)
        }
    }

    @Test func destinationsFollowTheSeedsCreateDestinationFlow() async throws {
        try await withControlPlane { harness, client in
            let api = client.with(token: try await harness.token(.write, workspace: "ws_acme"))
            let docs = "/v1/workspaces/ws_acme/sources/src_acme_web_docs/destinations"
            let created = try await api.post(
                docs,
                [
                    "name": "workspaces/ws_acme/sources/src_acme_web_docs/destinations/amp_docs",
                    "destination": "amplitude", "displayName": "Amplitude Docs", "mode": "device",
                    "settings": ["apiKey": "docs-key", "secretKey": "s3cr3t-docs"],
                ])
            #expect(created.status == 201)
            try OpenAPIChecker.check(created, "POST", "/v1/workspaces/{workspace}/sources/{source}/destinations")
            #expect(created.header(.location) == docs + "/amp_docs")
            #expect(created["enabled"] == false)
            #expect(created["settings"]?["secretKey"] == .string(SecretMasker.mask))
            #expect(created["manifest"]?["status"] == "unchanged")

            let list = try await api.get(docs)
            #expect(list["items"]?.arrayValue?.contains { $0["id"] == "amp_docs" } == true)
            try OpenAPIChecker.check(list, "GET", "/v1/workspaces/{workspace}/sources/{source}/destinations")

            let read = try await api.get(docs + "/amp_docs")
            try OpenAPIChecker.check(read, "GET", "/v1/workspaces/{workspace}/sources/{source}/destinations/{instance}")
            let toggled = try await api.patch(
                docs + "/amp_docs", ["enabled": true], headers: [.ifMatch: read.header(.eTag)!])
            #expect(toggled.status == 200)
            #expect(toggled["enabled"] == true)
            #expect(toggled["manifest"]?["status"] == "published")
            try OpenAPIChecker.check(
                toggled, "PATCH", "/v1/workspaces/{workspace}/sources/{source}/destinations/{instance}")

            let copied = try await api.post(
                docs + "/amp_docs/copy-settings",
                ["from": "workspaces/ws_acme/sources/src_acme_web_store/destinations/di_acme_store_amplitude"])
            #expect(copied.status == 200)
            try OpenAPIChecker.check(
                copied, "POST",
                "/v1/workspaces/{workspace}/sources/{source}/destinations/{instance}/copy-settings")
            let stored = try await harness.store.workspace(id: "ws_acme")!.workspace
            let original = stored.sources[0].instances[0]
            let copy = try #require(stored.source(id: "src_acme_web_docs")?.instances.first { $0.id == "amp_docs" })
            #expect(copy.settings == original.settings)
            #expect(copy.name == "Amplitude Docs")

            let deleted = try await api.delete(docs + "/amp_docs")
            #expect(deleted.status == 200)
            try OpenAPIChecker.check(
                deleted, "DELETE", "/v1/workspaces/{workspace}/sources/{source}/destinations/{instance}")

            let audit = try await api.get("/v1/workspaces/ws_acme/audit")
            try OpenAPIChecker.check(audit, "GET", "/v1/workspaces/{workspace}/audit")
            let actions = audit["items"]?.arrayValue?.compactMap { $0["action"]?.stringValue }
            #expect(
                actions == [
                    "workspace.import", "destination.create", "destination.toggle",
                    "destination.copySettings", "destination.delete",
                ])
            #expect(audit["items"]?[2]?["changes"] == ["/enabled"])
            #expect(audit["items"]?[2]?["actor"] == "ops")
        }
    }

    @Test func cursorsWalkEveryPageOnce() async throws {
        try await withControlPlane { harness, client in
            let api = client.with(token: try await harness.token(.read, workspace: "ws_acme"))
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await api.get(Self.web + "?limit=4" + (cursor.map { "&cursor=\($0)" } ?? ""))
                #expect(page.status == 200)
                seen += page["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
                cursor = page["next"]?.stringValue
            } while cursor != nil
            let expected = Fixtures.acme.source(id: "src_acme_web_store")!.instances.map(\.id).sorted()
            #expect(seen == expected)
            let audit = try await api.get("/v1/workspaces/ws_acme/audit?limit=1")
            #expect(audit["next"]?.stringValue != nil || audit["items"]?.arrayCount == 1)
        }
    }

    @Test func theWorkspaceShowsItsRevision() async throws {
        try await withControlPlane { harness, client in
            let api = client.with(token: try await harness.token(.write, workspace: "ws_acme"))
            let before = try await api.get("/v1/workspaces/ws_acme")
            #expect(before.status == 200)
            try OpenAPIChecker.check(before, "GET", "/v1/workspaces/{workspace}")
            #expect(before["revision"] == 1)
            #expect(before["sourceCount"] == 7)
            _ = try await api.patch(Self.sources + "/src_acme_web_docs", ["displayName": "Docs"])
            #expect(try await api.get("/v1/workspaces/ws_acme")["revision"] == 2)
            #expect(try await api.get("/v1/workspaces/ws_rules").status == 404)
        }
    }

    @Test func healthAndDocumentNeedNoToken() async throws {
        try await withControlPlane(loading: []) { _, client in
            #expect(try await client.get("/healthz").status == 200)
            let document = try await client.get("/openapi.json")
            #expect(document["openapi"] == "3.1.0")
        }
    }
}

extension JSONValue {
    var arrayValue: [JSONValue]? { if case .array(let items) = self { items } else { nil } }
    var arrayCount: Int? { arrayValue?.count }
    var stringValue: String? { if case .string(let text) = self { text } else { nil } }
    var intValue: Int? { if case .int(let number) = self { number } else { nil } }
}
