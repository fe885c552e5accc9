import Foundation
import HTTPTypes
import Hummingbird

/// Sign-in with a workspace token, sign-out, and the console's front door.
extension ConsoleController {
    func home(_ request: Request) async throws -> Response {
        guard let id = Self.cookie(ConsoleSessions.cookieName, in: request),
            let session = sessions.session(id: id, now: services.now())
        else { return ConsolePages.seeOther("/console/sign-in") }
        return ConsolePages.seeOther("/console/w/\(session.workspace.urlPathEscaped)/sources")
    }

    func signInPage(error: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        pages.render("sign-in", SignInView(error: error), status: status)
    }

    /// Exchanges a token for a session; the workspace is the token's own.
    func signIn(_ request: Request) async throws -> Response {
        let form = try await FormBody.read(request, limit: 16 * 1024)
        let token = (form["token"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty,
            let principal = try await services.authenticator.authenticate(authorization: "Bearer " + token)
        else {
            return signInPage(
                error: "This token is not valid: it is unknown, revoked or mistyped. "
                    + "Create one with `manifest token create`.",
                status: .unauthorized)
        }
        let session = sessions.open(tokenID: principal.tokenID, workspace: principal.workspace, now: services.now())
        let seconds = sessions.lifetime.components.seconds
        let cookie =
            "\(ConsoleSessions.cookieName)=\(session.id); Path=/console; Max-Age=\(seconds); HttpOnly; SameSite=Strict"
            + (secureCookies ? "; Secure" : "")
        return ConsolePages.seeOther(
            "/console/w/\(principal.workspace.urlPathEscaped)/sources", headers: [.setCookie: cookie])
    }

    func signOut(_ request: Request) async throws -> Response {
        if let id = Self.cookie(ConsoleSessions.cookieName, in: request),
            let session = sessions.session(id: id, now: services.now())
        {
            let form = try await FormBody.read(request, limit: 16 * 1024)
            guard session.accepts(form) else { throw ConsoleRedirect.signIn }
            sessions.close(id: id)
        }
        let expired = "\(ConsoleSessions.cookieName)=; Path=/console; Max-Age=0; HttpOnly; SameSite=Strict"
        return ConsolePages.seeOther("/console/sign-in", headers: [.setCookie: expired])
    }
}

struct SignInView {
    var error: String?
}

extension String {
    /// The string as one URL path segment.
    var urlPathEscaped: String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove("/")
        return addingPercentEncoding(withAllowedCharacters: allowed) ?? self
    }
}
