import Foundation
import ManifestBuilder
import Testing

@testable import ManifestControl

/// `manifest import` and `manifest export`: lossless, all or nothing, checked first.
@Suite struct TransferTests {
    @Test func importThenExportIsLossless() async throws {
        try await withControlPlane(loading: []) { harness, _ in
            let file = try Data(contentsOf: Fixtures.acmeURL)
            let stored = try await harness.transfer.importWorkspace(file, file: "acme.json", actor: "cli")
            #expect(stored.revision == 1)
            let exported = try await harness.transfer.exportWorkspace(id: "ws_acme")
            let reread = try JSONDecoder().decode(Workspace.self, from: exported)
            #expect(reread == Fixtures.acme)
            let again = try await harness.transfer.importWorkspace(exported, file: "export.json", actor: "cli")
            #expect(again.workspace == Fixtures.acme)
            #expect(try await harness.transfer.exportWorkspace(id: "ws_acme") == exported)
        }
    }

    @Test func anInvalidFileImportsNothing() async throws {
        try await withControlPlane { harness, _ in
            let before = try await harness.store.workspace(id: "ws_acme")!
            var broken = Fixtures.acme
            broken.sources[0].instances.append(
                DestinationInstance(
                    id: "gtm2", name: "GTM 2", destination: "Google Tag Manager", mode: .device,
                    settings: ["containerId": "x"]))
            broken.name = "Changed"
            await #expect(throws: TransferError.self) {
                _ = try await harness.transfer.importWorkspace(
                    try JSONEncoder().encode(broken), file: "broken.json", actor: "cli")
            }
            await #expect(throws: InputError.self) {
                _ = try await harness.transfer.importWorkspace(Data("{\"id\": 1}".utf8), file: "bad.json", actor: "cli")
            }
            #expect(try await harness.store.workspace(id: "ws_acme")! == before)
        }
    }

    @Test func anAPIChangeShowsInTheExport() async throws {
        try await withControlPlane { harness, client in
            let api = client.with(token: try await harness.token(.write, workspace: "ws_acme"))
            _ = try await api.patch(
                "/v1/workspaces/ws_acme/sources/src_acme_web_store/destinations/di_acme_store_slack",
                ["enabled": true])
            let exported = try JSONDecoder().decode(
                Workspace.self, from: try await harness.transfer.exportWorkspace(id: "ws_acme"))
            #expect(
                exported.source(id: "src_acme_web_store")?.instances.first { $0.id == "di_acme_store_slack" }?.enabled
                    == true)
        }
    }
}
