import HTTPTypes
import Hummingbird

/// A console refusal that is not about one field: shown as a page of its own, never a stack
/// trace or a JSON problem document.
struct ConsoleRefusal: Error {
    var status: HTTPResponse.Status
    var title: String
    var message: String
}

/// Sends the browser elsewhere instead of answering.
enum ConsoleRedirect: Error {
    case signIn
}

/// Turns every error below `/console` into an HTML page with the right status: sign-in when
/// there is no session, the API's own 4xx sentences for missing resources, a plain apology for
/// anything else.
struct ConsoleErrorMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let pages: ConsolePages

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch ConsoleRedirect.signIn {
            return ConsolePages.seeOther("/console/sign-in")
        } catch let refusal as ConsoleRefusal {
            return page(refusal.status, refusal.title, refusal.message)
        } catch let error as ControlError {
            return page(error.status, error.title, error.detail)
        } catch let error as HTTPError {
            return page(error.status, error.status.reasonPhrase, error.body ?? "The request cannot be answered.")
        } catch {
            context.logger.error("console request failed", metadata: ["error": "\(error)"])
            return page(
                .serviceUnavailable, "Something went wrong",
                "The console could not complete this request; nothing was changed. Try again shortly.")
        }
    }

    private func page(_ status: HTTPResponse.Status, _ title: String, _ message: String) -> Response {
        pages.render("error", ErrorView(title: title, message: message, status: status.code), status: status)
    }
}

struct ErrorView {
    var title: String
    var message: String
    var status: Int
}
