import Foundation
import HTTPTypes
import Hummingbird
import ManifestBuilder

/// The operator console under `/console`: server-rendered pages for the seed's "Adding a
/// destination" flows, over the same store, rules, editor and publisher as the Config API.
///
/// An operator signs in with a workspace token, which is exchanged for a session cookie
/// (`HttpOnly`, `SameSite=Strict`, path `/console`, `Secure` when the console is served over
/// TLS). Every form that changes something carries the session's CSRF token. A session sees only
/// the workspace of its token: any other workspace is "not found", as in the API.
struct ConsoleController: Sendable {
    let services: ControlServices
    let sessions: ConsoleSessions
    let pages: ConsolePages
    let edges: (any EdgeProgressSource)?
    let secureCookies: Bool

    var editor: DestinationEditor { DestinationEditor(services: services) }

    func register(on router: Router<BasicRequestContext>) {
        let console = router.group("console").add(middleware: ConsoleErrorMiddleware(pages: pages))
        console.get { request, _ in try await home(request) }
        console.get("sign-in") { _, _ in signInPage() }
        console.post("sign-in") { request, _ in try await signIn(request) }
        console.post("sign-out") { request, _ in try await signOut(request) }
        console.get("assets/:file") { request, context in try asset(request, context) }
        let workspace = console.group("w/:workspace")
        workspace.get("sources") { request, context in try await sourcesPage(request, context) }
        workspace.get("catalog") { request, context in try await catalogPage(request, context) }
        workspace.get("catalog/destinations/:destination") { request, context in
            try await selectSourcePage(request, context)
        }
        workspace.get("catalog/destinations/:destination/confirm") { request, context in
            try await confirmSource(request, context)
        }
        let source = workspace.group("sources/:source")
        source.get { request, context in try await sourcePage(request, context) }
        source.get("add") { request, context in try await addDestinationPage(request, context) }
        source.get("manifest") { request, context in try await manifestPage(request, context) }
        source.get("status") { request, context in try await status(request, context) }
        source.get("connect/:destination") { request, context in try await connectPage(request, context) }
        source.post("connect/:destination") { request, context in try await connect(request, context) }
        source.get("destinations/:instance") { request, context in try await instancePage(request, context) }
        source.post("destinations/:instance/:action") { request, context in
            try await instanceAction(request, context)
        }
    }

    /// The signed-in operator, for pages of the workspace the route names. No session (or an
    /// expired one, or a revoked token) goes to sign-in; another workspace is "not found".
    func user(_ request: Request, _ context: BasicRequestContext) async throws -> ConsoleUser {
        let now = services.now()
        guard let id = Self.cookie(ConsoleSessions.cookieName, in: request),
            let session = sessions.session(id: id, now: now)
        else { throw ConsoleRedirect.signIn }
        guard let token = try await services.store.token(id: session.tokenID), token.revokedAt == nil else {
            sessions.close(id: session.id)
            throw ConsoleRedirect.signIn
        }
        let named = context.parameters.get("workspace") ?? session.workspace
        guard named == session.workspace else { throw ControlError.notFound("No workspace '\(named)'.") }
        return ConsoleUser(session: session, actor: token.name, scope: token.scope)
    }

    /// The form of a POST, after checking that it came from one of this session's pages (its CSRF
    /// token) and that the token may write.
    func form(_ request: Request, for user: ConsoleUser) async throws -> FormBody {
        let form = try await FormBody.read(request, limit: services.limits.maxBodyBytes)
        guard user.session.accepts(form) else {
            throw ConsoleRefusal(
                status: .forbidden, title: "This form cannot be accepted",
                message: "It did not come from a page of this session (its CSRF token is missing or stale). "
                    + "Reload the page and try again; nothing was changed.")
        }
        guard user.scope.allows(.write) else {
            throw ConsoleRefusal(
                status: .forbidden, title: "Read-only token",
                message: "You signed in with a token of the read scope; changes need a token of the write scope.")
        }
        return form
    }

    static func cookie(_ name: String, in request: Request) -> String? {
        for field in request.headers[values: .cookie] {
            for pair in field.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
        }
        return nil
    }

    /// The stylesheet and the one script, from the module's resources.
    func asset(_ request: Request, _ context: BasicRequestContext) throws -> Response {
        let file = context.parameters.get("file") ?? ""
        let types = ["console.css": "text/css; charset=utf-8", "console.js": "text/javascript; charset=utf-8"]
        guard let type = types[file],
            let url = Bundle.module.url(forResource: "Assets/" + file, withExtension: nil),
            let data = FileManager.default.contents(atPath: url.path)
        else { throw ControlError.notFound("No console asset '\(file)'.") }
        return Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "no-cache", .xContentTypeOptions: "nosniff"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Who is looking at a console page.
struct ConsoleUser: Sendable {
    var session: ConsoleSession
    /// The token's name: the actor of every audit record this session writes.
    var actor: String
    var scope: TokenScope

    var workspace: String { session.workspace }
}
