import Foundation
import HTTPTypes
import Hummingbird
import ManifestBuilder
import ManifestHTTP

extension OriginController {
    static let allowedMethods = "GET, HEAD, OPTIONS"

    /// The CORS fields every response carries: browsers fetch the settings cross-origin.
    static func addEnvelopeFields(_ fields: inout HTTPFields) {
        fields[.accessControlAllowOrigin] = "*"
        fields[.accessControlExposeHeaders] = "ETag, Manifest-Signature, Manifest-Version, Age, Cache-Status"
    }

    /// Wraps every route and the not-found responder: answers CORS preflights and refuses
    /// methods other than GET and HEAD, turns anything thrown into a JSON error (a 404 for an
    /// unknown path, a 503 otherwise: never a 500), and adds the CORS fields to every response.
    struct ResponseEnvelope<Context: RequestContext>: RouterMiddleware {
        let server: OriginController

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
            async throws -> Response
        {
            var response: Response
            switch request.method {
            case .options:
                response = Response(
                    status: .noContent,
                    headers: [
                        .accessControlAllowMethods: OriginController.allowedMethods,
                        .accessControlAllowHeaders: "If-None-Match",
                        .accessControlMaxAge: "86400",
                    ])
            case .get, .head:
                do {
                    response = try await next(request, context)
                } catch let error as HTTPError where error.status == .notFound {
                    response = server.errorResponse(
                        .notFound, "Nothing is published at \(request.uri.path).",
                        path: request.uri.path)
                } catch let error as HTTPError where (400..<500).contains(error.status.code) {
                    response = OriginController.jsonError(error.status, error.body ?? error.status.reasonPhrase)
                } catch {
                    context.logger.info("origin request failed; answered 503", metadata: ["error": "\(error)"])
                    response = OriginController.unavailable()
                }
            default:
                response = OriginController.jsonError(
                    .methodNotAllowed,
                    "\(request.method.rawValue) is not allowed here; the origin serves GET and HEAD.",
                    path: request.uri.path)
                response.headers[.allow] = OriginController.allowedMethods
            }
            OriginController.addEnvelopeFields(&response.headers)
            return request.method == .head ? response.createHeadResponse() : response
        }
    }
}
