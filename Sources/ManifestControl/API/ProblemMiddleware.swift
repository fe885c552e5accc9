import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Turns every thrown error into a problem document and logs one line per request.
///
/// `ControlError`s carry their own status; Hummingbird's own errors (no route: 404, body over
/// the limit: 413) keep theirs; anything else is a 500 problem without details, logged at
/// error level, so a client never sees a stack trace or internal state. Log lines name the
/// method, path and status, never a body, header or setting.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let started = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = Self.response(for: error, request: request, logger: logger)
        }
        let elapsed = (ContinuousClock.now - started).components
        let milliseconds = elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000
        logger.info(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)", "path": "\(request.uri.path)",
                "status": "\(response.status.code)", "ms": "\(milliseconds)",
            ])
        return response
    }

    static func response(for error: any Error, request: Request, logger: Logger) -> Response {
        let instance = request.uri.path
        switch error {
        case let error as ControlError:
            return JSONResponse.problem(error, instance: instance)
        case WorkspaceStoreError.busy:
            return JSONResponse.problem(.busy(), instance: instance)
        case let error as any HTTPResponseError where error.status == .notFound:
            let allowed = DocumentedRoutes.methods(for: instance)
            guard !allowed.isEmpty else {
                return JSONResponse.problem(Self.problem(for: .notFound), instance: instance)
            }
            var problem = Self.problem(for: .methodNotAllowed)
            problem.headers[.allow] = allowed.joined(separator: ", ")
            problem.detail = "This path accepts \(allowed.joined(separator: ", "))."
            return JSONResponse.problem(problem, instance: instance)
        case let error as any HTTPResponseError:
            return JSONResponse.problem(Self.problem(for: error.status), instance: instance)
        default:
            logger.error(
                "unexpected error",
                metadata: ["path": "\(instance)", "error": "\(String(describing: type(of: error)))"])
            return JSONResponse.problem(
                ControlError(
                    .internalServerError, type: "internal", title: "Internal error",
                    detail: "The server could not complete the request; it has been logged."),
                instance: instance)
        }
    }

    private static func problem(for status: HTTPResponse.Status) -> ControlError {
        switch status {
        case .notFound: .notFound("No resource at this path.")
        case .contentTooLarge:
            ControlError(
                .contentTooLarge, type: "too-large", title: "The body is too large",
                detail: "Request bodies are limited to \(ControlPlane.Limits().maxBodyBytes) bytes.")
        case .methodNotAllowed:
            ControlError(
                .methodNotAllowed, type: "method-not-allowed", title: "Method not allowed",
                detail: "This path does not accept this method.")
        default:
            ControlError(status, type: "http-\(status.code)", title: status.reasonPhrase, detail: status.reasonPhrase)
        }
    }
}
