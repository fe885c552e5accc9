import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The edge's HTTP face: every GET/HEAD path is answered through the `EdgeCache`, except
/// its own endpoints: `/healthz`, `/metrics` (Prometheus) and `POST /.edge/purge`.
///
/// Purge (bearer-token authenticated): `POST /.edge/purge?key=<surrogate key>`,
/// `?path=/v1/projects/<writeKey>/settings` or `?all=1`; add `&soft=1` to mark stale (still
/// usable if the origin fails) rather than remove. Answers `{"purged": <count>}`.
public struct EdgeServer: HTTPResponder {
    public typealias Context = BasicRequestContext

    public let cache: EdgeCache
    /// Purges need `Authorization: Bearer <token>`; with no token configured they are refused.
    public let purgeToken: String?

    /// Longer request targets are refused with 414.
    public static let maxPathLength = 2048

    public init(cache: EdgeCache, purgeToken: String?) {
        self.cache = cache
        self.purgeToken = purgeToken
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        switch request.uri.path {
        case "/healthz":
            return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        case "/metrics":
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(string: cache.metrics.exposition())))
        case "/.edge/purge":
            return await purge(request)
        default:
            let target = request.uri.string
            guard target.utf8.count <= Self.maxPathLength else {
                return Self.response(EdgeResponses.error(.uriTooLong, "the request target is longer than \(Self.maxPathLength) bytes"))
            }
            guard Self.isValidTarget(target) else {
                return Self.response(EdgeResponses.error(.badRequest, "the request target is not a valid origin-form path"))
            }
            let answer = await cache.respond(to: EdgeRequest(method: request.method, path: target, headerFields: request.headers))
            return Self.response(answer)
        }
    }

    private func purge(_ request: Request) async -> Response {
        guard request.method == .post else {
            return Self.response(EdgeResponses.error(.methodNotAllowed, "purge with POST", allow: "POST"))
        }
        guard let purgeToken, let authorization = request.headers[.authorization],
            Self.constantTimeEqual(authorization, "Bearer \(purgeToken)")
        else {
            return Self.response(EdgeResponses.error(.unauthorized, "purging needs Authorization: Bearer <purge token>"))
        }
        let parameters = request.uri.queryParameters
        let soft = parameters["soft"].map { $0 == "1" || $0 == "true" } ?? false
        let target: PurgeTarget
        if let key = parameters["key"], !key.isEmpty {
            target = .surrogateKey(String(key).removingPercentEncoding ?? String(key))
        } else if let path = parameters["path"], path.hasPrefix("/") || path.hasPrefix("%2F") {
            target = .path(String(path).removingPercentEncoding ?? String(path))
        } else if parameters["all"] == "1" {
            target = .all
        } else {
            return Self.response(EdgeResponses.error(.badRequest, "name what to purge: ?key=, ?path= or ?all=1"))
        }
        let count = await cache.purge(target, soft: soft)
        return Response(status: .ok, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(string: #"{"purged":\#(count),"soft":\#(soft)}"#)))
    }

    static func response(_ answer: EdgeResponse) -> Response {
        Response(status: answer.status, headers: answer.headerFields, body: .init(byteBuffer: answer.body))
    }

    /// Origin-form: starts with `/`, and only URI characters (RFC 3986) follow.
    static func isValidTarget(_ target: String) -> Bool {
        guard target.utf8.first == UInt8(ascii: "/") else { return false }
        return target.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            default: "-._~!$&'()*+,;=:@/?%".utf8.contains(byte)
            }
        }
    }

    private static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
