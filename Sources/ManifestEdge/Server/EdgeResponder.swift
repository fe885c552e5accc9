import Foundation
import HTTPTypes
import ManifestBuilder
import ManifestHTTP
import NIOCore

/// What the edge answers, whatever carries the bytes: every GET/HEAD path through the
/// `EdgeCache`, except the edge's own endpoints: `/healthz`, `/metrics` (Prometheus),
/// `POST /.edge/purge`, `/v1/events` (when it relays the invalidation stream), and the browser
/// loader and demo page (`/manifest-loader.js`, `/demo`).
///
/// Purge (bearer-token authenticated): `POST /.edge/purge?key=<surrogate key>`,
/// `?path=/v1/projects/<writeKey>/settings` or `?all=1`; add `&soft=1` to mark stale (still
/// usable if the origin fails) rather than remove. Answers `{"purged": <count>}`.
public struct EdgeResponder: Sendable {
    public let cache: EdgeCache
    /// Purges need `Authorization: Bearer <token>`; with no token configured they are refused.
    public let purgeToken: String?
    /// When set, this edge answers `/v1/events` itself with the events it has applied, so that
    /// edges behind it (this edge as their shield) learn of a publish only after it did.
    public let relay: InvalidationSubscriber?

    /// Longer request targets are refused with 414.
    public static let maxTargetLength = 2048

    public init(cache: EdgeCache, purgeToken: String?, relay: InvalidationSubscriber? = nil) {
        self.cache = cache
        self.purgeToken = purgeToken
        self.relay = relay
    }

    /// The answer when there is one without waiting (a cache hit), so that the transport can
    /// write it on the thread that read the request; `nil` sends the request to `respond(to:)`.
    public func immediateResponse(to request: EdgeRequest) -> EdgeResponse? {
        // Validity first: it makes the target ASCII, so that its path can be found by bytes.
        guard request.target.utf8.count <= Self.maxTargetLength, Self.isValidTarget(request.target),
            !Self.isOwnEndpoint(asciiTarget: request.target)
        else { return nil }
        return cache.cachedResponse(to: request)
    }

    /// Answers `request` for a transport on `loop`: `deliver` runs on the loop, at once with a
    /// cache hit (`later` false: written on the thread that read the request), or when a task has
    /// the answer (`later` true).
    func answer(
        _ request: EdgeRequest, on loop: any EventLoop,
        deliver: @escaping (_ answer: EdgeResponse, _ later: Bool) -> Void
    ) {
        if let answer = immediateResponse(to: request) {
            deliver(answer, false)
            return
        }
        let bound = NIOLoopBound(deliver, eventLoop: loop)
        loop.makeFutureWithTask { await respond(to: request) }.whenSuccess { bound.value($0, true) }
    }

    public func respond(to request: EdgeRequest) async -> EdgeResponse {
        let endpoint = OwnEndpoint(rawValue: String(Self.pathWithoutQuery(request.target)))
        guard let endpoint, endpoint != .purge, endpoint != .events || relay != nil else {
            return await route(request, to: endpoint)
        }
        // The edge's own endpoints answer only their methods (TRACE, PUT, ... get 405), and
        // HEAD gets the fields of a GET without its body.
        guard request.method == .get || request.method == .head else {
            return EdgeResponses.error(
                .methodNotAllowed, "\(endpoint.rawValue) answers GET and HEAD", allow: "GET, HEAD")
        }
        var answer = await route(request, to: endpoint)
        if request.method == .head {
            answer.headerFields[.contentLength] = String(answer.body.readableBytes)
            answer.body = ByteBuffer()
        }
        return answer
    }

    /// A 400 with a JSON body, for the transport's own refusals.
    static func badRequest(_ message: String) -> EdgeResponse {
        EdgeResponses.error(.badRequest, message)
    }

    private func route(_ request: EdgeRequest, to endpoint: OwnEndpoint?) async -> EdgeResponse {
        switch endpoint {
        case .healthz:
            return EdgeResponse(
                status: .ok, headerFields: [.contentType: "text/plain", .cacheControl: "no-store"],
                body: ByteBuffer(string: "ok\n"))
        case .metrics:
            return EdgeResponse(
                status: .ok, headerFields: [.contentType: "text/plain; version=0.0.4"],
                body: ByteBuffer(string: cache.metrics.exposition()))
        case .purge:
            return purge(request)
        case .events where relay != nil:
            return await relayEvents(request)
        case .loader, .demo, .demoDirectory:
            return BrowserAssets.response(for: String(Self.pathWithoutQuery(request.target)))
        case .events, nil:
            guard request.target.utf8.count <= Self.maxTargetLength else {
                return EdgeResponses.error(
                    .uriTooLong, "the request target is longer than \(Self.maxTargetLength) bytes")
            }
            guard Self.isValidTarget(request.target) else {
                return EdgeResponses.error(.badRequest, "the request target is not a valid origin-form path")
            }
            return await cache.respond(to: request)
        }
    }

    /// The paths the edge answers itself rather than from the cache (`/v1/events` only when it
    /// relays the stream).
    enum OwnEndpoint: String, CaseIterable {
        case healthz = "/healthz"
        case metrics = "/metrics"
        case purge = "/.edge/purge"
        case events = "/v1/events"
        case loader = "/manifest-loader.js"
        case demo = "/demo"
        case demoDirectory = "/demo/"

        /// The length of the longest path, in bytes.
        static let longest = allCases.map(\.rawValue.utf8.count).max() ?? 0
    }

    private func purge(_ request: EdgeRequest) -> EdgeResponse {
        guard request.method == .post else {
            return EdgeResponses.error(.methodNotAllowed, "purge with POST", allow: "POST")
        }
        guard let purgeToken, let authorization = request.headerFields[.authorization],
            Self.constantTimeEqual(authorization, "Bearer \(purgeToken)")
        else {
            return EdgeResponses.error(.unauthorized, "purging needs Authorization: Bearer <purge token>")
        }
        let parameter = Self.queryParameters(request.target)
        let soft = parameter("soft").map { $0 == "1" || $0 == "true" } ?? false
        let target: PurgeTarget
        if let key = parameter("key"), !key.isEmpty {
            target = .surrogateKey(key)
        } else if let path = parameter("path"), path.hasPrefix("/") {
            target = .path(path)
        } else if parameter("all") == "1" {
            target = .all
        } else {
            return EdgeResponses.error(.badRequest, "name what to purge: ?key=, ?path= or ?all=1")
        }
        let count = cache.purge(target, soft: soft)
        return EdgeResponse(
            status: .ok, headerFields: [.contentType: "application/json", .cacheControl: "no-store"],
            body: ByteBuffer(string: #"{"purged":\#(count),"soft":\#(soft)}"#))
    }

    private func relayEvents(_ request: EdgeRequest) async -> EdgeResponse {
        guard let relay else { return EdgeResponses.error(.notFound, "no invalidation stream here") }
        let parameter = Self.queryParameters(request.target)
        let wait = EventBatch.wait(parameter("wait"))
        let batch: EventBatch
        if let after = parameter("after") {
            guard let sequence = Int64(after), sequence >= 0 else {
                return EdgeResponses.error(.badRequest, "after is a sequence number: 0 or more")
            }
            batch = await relay.relayedEvents(after: sequence, wait: wait)
        } else {
            batch = EventBatch(events: [], last: relay.appliedSequence ?? 0)
        }
        let body = batch.encoded()
        return EdgeResponse(
            status: .ok, headerFields: [.contentType: "application/json", .cacheControl: "no-store"],
            body: ByteBuffer(bytes: body))
    }

    /// Looks up a query parameter of `target`, percent-decoded.
    private static func queryParameters(_ target: String) -> (String) -> String? {
        let items = URLComponents(string: target)?.queryItems ?? []
        return { name in items.first { $0.name == name }?.value }
    }

    private static func pathWithoutQuery(_ target: String) -> Substring {
        target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    }

    /// Whether a valid (so ASCII) target names one of the edge's own endpoints. Its path is cut
    /// at the first `?` byte, which for ASCII is what `pathWithoutQuery` finds. Every request
    /// runs this, so it reads the bytes in place, and a path longer than every endpoint's (a
    /// settings path) is not compared at all.
    private static func isOwnEndpoint(asciiTarget target: String) -> Bool {
        var target = target
        let pathLength = target.withUTF8 { $0.firstIndex(of: UInt8(ascii: "?")) ?? $0.count }
        guard pathLength <= OwnEndpoint.longest else { return false }
        return OwnEndpoint(rawValue: String(decoding: target.utf8.prefix(pathLength), as: UTF8.self)) != nil
    }

    /// Origin-form: starts with `/`, and only URI characters (RFC 3986: unreserved, sub-delims,
    /// `:`, `@`, `/`, `?` and `%`) follow. Byte ranges over the bytes in place rather than a
    /// search of a string of allowed characters: every request runs this.
    static func isValidTarget(_ target: String) -> Bool {
        var target = target
        return target.withUTF8 { bytes in
            guard bytes.first == UInt8(ascii: "/") else { return false }
            for byte in bytes {
                switch byte {
                // a-z, A-Z, @, ?, 0-9, :, ;, !, $, %, &, ', (, ), *, +, ",", -, ., /, =, _, ~
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "?")...UInt8(ascii: "Z"),
                    UInt8(ascii: "$")...UInt8(ascii: ";"), UInt8(ascii: "!"), UInt8(ascii: "="), UInt8(ascii: "_"),
                    UInt8(ascii: "~"):
                    continue
                default: return false
                }
            }
            return true
        }
    }

    private static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
