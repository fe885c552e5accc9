import Hummingbird
import ManifestBuilder

/// `/v1/catalog`: destinations (list, search, one with its settings schema) and, apart, the
/// catalog's sources, which can never be added as destinations. Any valid token may read it.
struct CatalogController: Sendable {
    let services: ControlServices

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/catalog/destinations") { request, _ in try await destinations(request) }
        router.get("/v1/catalog/destinations/:destination") { request, context in
            try await destination(request, context)
        }
        router.get("/v1/catalog/sources") { request, _ in try await sources(request) }
    }

    /// `?search=` matches the id or name (case-insensitive); `?mode=`, `?family=` and
    /// `?sourceKind=` filter.
    func destinations(_ request: Request) async throws -> Response {
        _ = try await services.principal(request)
        let page = try services.page(request)
        let query = request.uri.queryParameters
        let search = query["search"].map { $0.lowercased() }
        let mode = try query["mode"].map { try Self.parse(String($0), ConnectionMode.self, "mode") }
        let family = try query["family"].map { try Self.parse(String($0), DestinationFamily.self, "family") }
        let kind = try query["sourceKind"].map { try Self.parse(String($0), SourceKind.self, "sourceKind") }
        let facts = services.facts
        let matches = services.catalog.destinations.filter { entry in
            (search.map { entry.name.lowercased().contains($0) || entry.id.contains($0) } ?? true)
                && (mode.map { entry.modes.contains($0) } ?? true) && (family.map { entry.family == $0 } ?? true)
                && (kind.map { facts.allowedKinds(entry).contains($0) } ?? true)
        }.sorted { $0.id < $1.id }
        return JSONResponse.ok(
            page.page(matches, key: \.id) { CatalogResources.destination($0, facts: facts, detail: false) })
    }

    func destination(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        _ = try await services.principal(request)
        let id = request.parameter("destination", context)
        guard let entry = services.catalog.destinations.first(where: { $0.id == id }) else {
            if let source = services.catalog.sources.first(where: { $0.id == id }) {
                throw ControlError.notFound(
                    "'\(id)' is the catalog source \(source.name), not a destination; see /v1/catalog/sources.")
            }
            throw ControlError.notFound("No catalog destination '\(id)'.")
        }
        return JSONResponse.ok(CatalogResources.destination(entry, facts: services.facts, detail: true))
    }

    func sources(_ request: Request) async throws -> Response {
        _ = try await services.principal(request)
        let page = try services.page(request)
        let catalog = services.catalog
        return JSONResponse.ok(
            page.page(catalog.sources.sorted { $0.id < $1.id }, key: \.id) {
                CatalogResources.source($0, catalog: catalog)
            })
    }

    private static func parse<T: RawRepresentable & CaseIterable>(_ text: String, _: T.Type, _ name: String) throws -> T
    where T.RawValue == String {
        guard let value = T(rawValue: text) else {
            throw ControlError.badRequest(
                "\(name) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return value
    }
}
