import Foundation
import HTTPTypes
import Logging
import ManifestBuilder
import ManifestControl
import ManifestHTTP
import ManifestSimulation

/// The demo's control plane: the workspace imported into the Config API on a loopback port,
/// with a write token, so that the demo adds a destination the way an operator does (the
/// seed's "Public API"), and the API's live publish reaches the edges.
struct DemoControlPlane {
    let baseURL: String
    let token: String
    let workspaceID: String
    private let client = CurlHTTPClient.shared

    /// Imports `workspace` into the control plane in `directory` (beside the origin store) and
    /// serves its API on a free 127.0.0.1 port among `servers`.
    static func start(
        directory: URL, workspace: Workspace, catalog: Catalog, compiler: ManifestCompiler, key: SigningKey,
        servers: LocalServers, logger: Logger
    ) async throws -> DemoControlPlane {
        let data = ControlDataDirectory(url: directory)
        let (store, secrets) = try data.openStore(catalog: catalog)
        _ = try await WorkspaceTransfer(store: store, catalog: catalog)
            .importWorkspace(try JSONEncoder().encode(workspace), file: "demo", actor: "demo")
        let (_, token) = try await TokenService(store: store).create(
            workspace: workspace.id, scope: .write, name: "demo operator", now: Date())
        let publisher = try data.livePublisher(store: store, compiler: compiler, key: key, logger: logger)
        let plane = try ControlPlane(
            store: store, catalog: catalog, secrets: secrets, publisher: publisher, logger: logger)
        let port = try await servers.start(plane.makeRouter())
        return DemoControlPlane(baseURL: "http://127.0.0.1:\(port)", token: token, workspaceID: workspace.id)
    }

    /// `POST /v1/workspaces/{ws}/sources/{source}/destinations`: the status and the JSON answer.
    func add(_ instance: DestinationInstance, to sourceID: String) async throws -> (Int, JSONValue?) {
        let body: JSONValue = [
            "id": .string(instance.id), "destination": .string(instance.destination),
            "displayName": .string(instance.name), "mode": .string(instance.mode.rawValue), "enabled": true,
            "settings": .object(instance.settings),
        ]
        let response = try await client.execute(
            .init(
                method: .post, url: "\(baseURL)/v1/workspaces/\(workspaceID)/sources/\(sourceID)/destinations",
                headerFields: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                body: CanonicalJSON.encode(body)))
        return (response.status.code, try? JSONValue.parse(response.body))
    }
}
