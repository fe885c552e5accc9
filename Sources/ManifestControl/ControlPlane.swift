import Foundation
import Hummingbird
import Logging
import ManifestBuilder
import ManifestHummingbirdTLS
import ManifestTLS
import NIOCore
import ServiceLifecycle

/// The control plane, the Config API and the operator console (`/console`): builds the Hummingbird router and application from its
/// dependencies, so the CLI and the tests run the same server (tests on `127.0.0.1:0`).
///
/// It has its own listener, separate from the origin and the edge: nothing here is ever served
/// to browsers. State lives behind `WorkspaceStateStore`; publishing goes through the existing
/// incremental `Publisher` into the `OriginStore` the origin serves, from which the invalidation
/// stream carries each new version to the edges.
///
/// Choices made here (see `docs/config-api.md`):
/// - A write is refused only for violations it introduces: the rules run over the affected
///   source before and after the change, so a workspace that an older catalog made invalid
///   elsewhere can still be edited, and every refusal names what this request did wrong.
/// - Copy settings copies into an *existing* instance, as the seed's "Copy Settings From Other
///   Destination" button does on an instance being configured; `Workspace.copyingSettings`
///   (which creates a new instance) stays the file workflow's tool.
/// - A created destination starts disabled unless the body says `enabled: true`, as an added
///   destination does in the web app until its toggle is switched on.
/// - Entity tags are an HMAC of the resource's clear state, so changing only a secret changes the
///   tag (a lost secret update is caught) while the tag reveals nothing about it.
public struct ControlPlane: Sendable {
    /// Request limits.
    public struct Limits: Sendable {
        /// Larger bodies are refused with 413 before they are parsed.
        public var maxBodyBytes: Int
        public var defaultPageSize: Int
        public var maxPageSize: Int

        public init(maxBodyBytes: Int = 1 << 20, defaultPageSize: Int = 50, maxPageSize: Int = 200) {
            self.maxBodyBytes = maxBodyBytes
            self.defaultPageSize = defaultPageSize
            self.maxPageSize = maxPageSize
        }
    }

    let services: ControlServices
    let console: ConsoleController

    /// - Parameters:
    ///   - publisher: republishes changed sources; nil leaves publishing to `manifest publish`.
    ///   - logger: every log line of the API goes here; the library never makes its own logger.
    ///   - now: the clock for publish times and console sessions.
    ///   - edges: which edges have applied which publishes, for the console's live status (nil:
    ///     the console shows what is published, not who serves it).
    ///   - secureCookies: mark the console's session cookie `Secure`: set it when the console is
    ///     reached over HTTPS (through a TLS-terminating proxy), never on plain HTTP.
    /// - Throws: when the console's templates cannot be loaded.
    public init(
        store: any WorkspaceStateStore, catalog: Catalog, secrets: SecretsKey, publisher: LivePublisher?,
        logger: Logger, limits: Limits = Limits(), now: @escaping @Sendable () -> Date = { Date() },
        edges: (any EdgeProgressSource)? = nil, secureCookies: Bool = false
    ) throws {
        let rules = ConnectionRules(catalog: catalog)
        self.services = ControlServices(
            store: store, rules: rules, facts: CatalogFacts(rules: rules), masker: SecretMasker(catalog: catalog),
            tags: EntityTags(secrets: secrets), authenticator: TokenAuthenticator(store: store), publisher: publisher,
            limits: limits, now: now, logger: logger)
        self.console = ConsoleController(
            services: services, sessions: ConsoleSessions(), pages: try ConsolePages(), edges: edges,
            secureCookies: secureCookies)
    }

    /// Every route, behind the middleware that answers errors with problem documents.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ProblemMiddleware(logger: services.logger))
        MetaController().register(on: router)
        CatalogController(services: services).register(on: router)
        WorkspaceController(services: services).register(on: router)
        SourcesController(services: services).register(on: router)
        DestinationsController(services: services).register(on: router)
        AuditController(services: services).register(on: router)
        console.register(on: router)
        return router
    }

    /// The application, listening on `host:port` (port 0 picks a free one; `onServerRunning`
    /// gets the bound channel), over HTTPS with `tls`, running `services` beside it (such as the
    /// certificate reloader).
    public func makeApplication(
        host: String = "127.0.0.1", port: Int = 0, tls: ServerTLSContext? = nil, services: [any Service] = [],
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: makeRouter(), server: .http1(configuration: .init(), tls: tls),
            configuration: .init(address: .hostname(host, port: port), serverName: "manifest-control"),
            services: services, onServerRunning: onServerRunning, logger: self.services.logger)
    }
}
