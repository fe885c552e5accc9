import Foundation
import HTTPTypes
import Hummingbird
import ManifestBuilder

// The origin's validators, cache directives and error bodies.

extension OriginServer {
    static let immutableCacheControl = "public, max-age=31536000, immutable"
    static let immutableCDNCacheControl = "max-age=31536000"

    /// `"v{version}-{first 16 hex digits of the content hash}"`: strong, and naming the version,
    /// because each version's bytes differ (the stamp) even when the content does not.
    static func eTag(for manifest: SignedManifest) -> String {
        "\"v\(manifest.version)-\(manifest.contentHash.prefix(16))\""
    }

    /// 200 with `body`, or 304 without it when the request's `If-None-Match` matches the `ETag`
    /// in `headers`. The 304 keeps the validators and cache directives (RFC 9110 §15.4.5), so
    /// a cache that refreshes its stored entry from it keeps the right lifetimes.
    static func conditional(_ request: Request, headers: HTTPFields, body: [UInt8]) -> Response {
        let ifNoneMatch = request.headers[values: .ifNoneMatch]
        if !ifNoneMatch.isEmpty, let eTag = headers[.eTag],
            EntityTag.ifNoneMatch(ifNoneMatch.joined(separator: ","), matches: eTag)
        {
            var fields = headers
            fields[.contentType] = nil
            return Response(status: .notModified, headers: fields)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Whole seconds, for cache directives.
    static func seconds(_ duration: Duration) -> Int64 {
        max(0, duration.components.seconds)
    }
}

// MARK: - Errors

extension OriginServer {
    /// `{"error": "<a sentence>", "writeKey": ..., "version": ..., "path": ...}`; absent members are left out.
    struct ErrorBody: Encodable {
        var error: String
        var writeKey: String?
        var version: Int?
        var path: String?
    }

    private static let errorEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func jsonError(_ status: HTTPResponse.Status, _ body: ErrorBody) -> Response {
        // Strings and integers always encode.
        let bytes = (try? errorEncoder.encode(body)) ?? Data(#"{"error":"error"}"#.utf8)
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// 503, never cached: an edge keeps serving what it has (`stale-if-error`) instead.
    static func unavailable() -> Response {
        var response = jsonError(.serviceUnavailable, ErrorBody(error: "The origin store is unavailable; try again shortly."))
        response.headers[.cacheControl] = "no-store"
        response.headers[.retryAfter] = "1"
        return response
    }
}

// MARK: - What every response goes through

extension OriginServer {
    static let allowedMethods = "GET, HEAD, OPTIONS"

    /// Wraps every route and the not-found responder: answers CORS preflights and refuses
    /// methods other than GET and HEAD, turns anything thrown into a JSON error (a 404 for an
    /// unknown path, a 503 otherwise: never a 500), and adds the CORS fields to every response.
    struct ResponseEnvelope<Context: RequestContext>: RouterMiddleware {
        let server: OriginServer

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            var response: Response
            switch request.method {
            case .options:
                response = Response(status: .noContent, headers: [
                    .accessControlAllowMethods: OriginServer.allowedMethods,
                    .accessControlAllowHeaders: "If-None-Match",
                    .accessControlMaxAge: "86400",
                ])
            case .get, .head:
                do {
                    response = try await next(request, context)
                } catch let error as HTTPError where error.status == .notFound {
                    response = server.errorResponse(.notFound, "Nothing is published at \(request.uri.path).",
                                                    path: request.uri.path)
                } catch let error as HTTPError where (400..<500).contains(error.status.code) {
                    response = OriginServer.jsonError(error.status, ErrorBody(error: error.body ?? error.status.reasonPhrase))
                } catch {
                    context.logger.error("origin request failed", metadata: ["error": "\(error)"])
                    response = OriginServer.unavailable()
                }
            default:
                response = OriginServer.jsonError(.methodNotAllowed, ErrorBody(
                    error: "\(request.method.rawValue) is not allowed here; the origin serves GET and HEAD.",
                    path: request.uri.path))
                response.headers[.allow] = OriginServer.allowedMethods
            }
            response.headers[.accessControlAllowOrigin] = "*"
            response.headers[.accessControlExposeHeaders] = "ETag, Manifest-Signature, Manifest-Version, Age, Cache-Status"
            return request.method == .head ? response.createHeadResponse() : response
        }
    }
}
