import Hummingbird
import ManifestBuilder

/// `/v1/workspaces/{workspace}/audit`: the append-only log of changes, oldest first, with
/// cursor pagination by sequence. Secrets are masked in every record.
struct AuditController: Sendable {
    let services: ControlServices

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/workspaces/:workspace/audit") { request, context in try await list(request, context) }
    }

    func list(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let workspace = request.parameter("workspace", context)
        _ = try await services.authorize(request, workspace: workspace, scope: .read)
        let page = try services.page(request)
        guard let after = Int64(page.after ?? "0"), after >= 0 else {
            throw ControlError.badRequest("cursor is not a cursor this API returned.")
        }
        let records = try await services.store.auditRecords(workspace: workspace, after: after, limit: page.limit + 1)
        let items = records.prefix(page.limit)
        let next: JSONValue =
            records.count > page.limit
            ? .string(Base64URL.encode(Array(String(items.last!.sequence).utf8))) : .null
        return JSONResponse.ok(.object(["items": .array(items.map(\.json)), "next": next]))
    }
}
