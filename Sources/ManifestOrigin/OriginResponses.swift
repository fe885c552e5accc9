import Foundation
import HTTPTypes
import Hummingbird
import ManifestBuilder
import ManifestHTTP

// The origin's validators, cache directives and error bodies.

extension OriginController {
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

extension OriginController {
    /// A JSON error (`ErrorBody`) with this status.
    static func jsonError(
        _ status: HTTPResponse.Status, _ message: String, writeKey: String? = nil, version: Int? = nil,
        path: String? = nil
    ) -> Response {
        let bytes = ErrorBody(error: message, status: status.code, writeKey: writeKey, version: version, path: path)
            .encoded()
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// 503, never cached: an edge keeps serving what it has (`stale-if-error`) instead.
    static func unavailable() -> Response {
        var response = jsonError(.serviceUnavailable, "The origin store is unavailable; try again shortly.")
        response.headers[.cacheControl] = "no-store"
        response.headers[.retryAfter] = "1"
        return response
    }
}
