import Foundation
import HTTPTypes
import Logging
import NIOCore

/// A request as the edge cache sees it.
public struct EdgeRequest: Sendable {
    public var method: HTTPRequest.Method
    /// The path with its query, such as `/v1/projects/abc/settings`.
    public var path: String
    public var headerFields: HTTPFields

    public init(method: HTTPRequest.Method = .get, path: String, headerFields: HTTPFields = [:]) {
        self.method = method
        self.path = path
        self.headerFields = headerFields
    }
}

/// The edge's answer.
public struct EdgeResponse: Sendable {
    public var status: HTTPResponse.Status
    public var headerFields: HTTPFields
    public var body: ByteBuffer
}

/// What to invalidate.
public enum PurgeTarget: Hashable, Sendable {
    /// Every stored variant of one path.
    case path(String)
    /// Every stored response whose `Surrogate-Key` lists this key.
    case surrogateKey(String)
    case all
}

public struct EdgeConfiguration: Sendable {
    /// This cache's name in `Cache-Status` (RFC 9211).
    public var name: String
    /// The most body and header bytes the cache holds; the least recently used go first.
    public var byteBudget: Int

    public init(name: String = "manifest-edge", byteBudget: Int = 256 << 20) {
        self.name = name
        self.byteBudget = byteBudget
    }
}

/// A shared HTTP cache in front of an upstream (the origin, or a shield edge).
///
/// It follows RFC 9111 (freshness, `Age`, `Vary`, validation with `If-None-Match`), RFC 9213
/// (`CDN-Cache-Control` takes precedence for this cache), RFC 5861 (`stale-while-revalidate`,
/// `stale-if-error`) and RFC 9211 (a `Cache-Status` field on every response). Concurrent misses
/// or revalidations of one key share one upstream request; every waiter resumes when it
/// completes. Time comes from an injected clock.
public actor EdgeCache {
    public let configuration: EdgeConfiguration
    public nonisolated let metrics: EdgeMetrics
    private let upstream: any Upstream
    private let clock: any EdgeClock
    private let logger: Logger
    private let store: LRUStore<CacheEntry>
    /// The request fields each path's responses vary on, learned from their `Vary`.
    private var varyByPath: [String: [HTTPField.Name]] = [:]
    private var inFlight: [String: Task<FetchOutcome, Never>] = [:]

    public init(
        upstream: any Upstream, configuration: EdgeConfiguration = .init(), clock: any EdgeClock = SystemClock(),
        metrics: EdgeMetrics = EdgeMetrics(), logger: Logger = Logger(label: "manifest.edge")
    ) {
        self.upstream = upstream
        self.configuration = configuration
        self.clock = clock
        self.metrics = metrics
        self.logger = logger
        self.store = LRUStore(budget: configuration.byteBudget)
    }

    /// Answers a GET or HEAD from the cache, the upstream, or a stale copy when the upstream fails.
    public func respond(to request: EdgeRequest) async -> EdgeResponse {
        guard request.method == .get || request.method == .head else {
            return EdgeResponses.error(.methodNotAllowed, "only GET and HEAD are served", allow: "GET, HEAD")
        }
        let key = cacheKey(for: request)
        let now = clock.now()
        if let entry = store.get(key) {
            if entry.isFresh(at: now) {
                metrics.record(.hit)
                return serve(entry, to: request, now: now, cacheStatus: "hit; ttl=\(Int(entry.timeToLive(at: now)))")
            }
            if entry.mayServeWhileRevalidating(at: now) {
                metrics.record(.staleWhileRevalidate)
                _ = fetchTask(key: key, request: request)
                return serve(entry, to: request, now: now,
                             cacheStatus: "hit; ttl=\(Int(entry.timeToLive(at: now))); detail=stale-while-revalidate")
            }
        }
        let (task, collapsed) = fetchTask(key: key, request: request)
        if collapsed { metrics.coalescedWaiters.increment() }
        let outcome = await task.value
        // A response that turned out to vary on fields this request differs in is not its
        // answer: ask again under the key its fields now give.
        if case .cached(_, _, let storedKey, _) = outcome, collapsed, storedKey != cacheKey(for: request) {
            return await respond(to: request)
        }
        return respond(with: outcome, to: request, key: key, collapsed: collapsed)
    }

    /// Marks matching responses stale (`soft`: still usable if the upstream fails) or removes them.
    /// Returns how many stored responses it touched.
    @discardableResult
    public func purge(_ target: PurgeTarget, soft: Bool) -> Int {
        let keys = store.keys.filter { key in
            switch target {
            case .all: return true
            case .path(let path): return Self.path(ofKey: key) == path
            case .surrogateKey(let surrogate):
                return store.peek(key)?.surrogateKeys.contains(Substring(surrogate)) ?? false
            }
        }
        for key in keys {
            if soft { store.update(key) { $0.softPurged = true } } else { store.remove(key) }
        }
        metrics.purged(keys.count, soft: soft)
        metrics.updateHoldings(bytes: store.bytes, entries: store.count)
        logger.info("purged", metadata: ["target": "\(target)", "soft": "\(soft)", "responses": "\(keys.count)"])
        return keys.count
    }

    /// Waits until no upstream fetch is running: for tests and the simulator, which need
    /// background revalidations to have finished before they look.
    public func settle() async {
        while let task = inFlight.values.first {
            _ = await task.value
        }
    }

    public var storedBytes: Int { store.bytes }
    public var storedCount: Int { store.count }

    // MARK: - Keys

    /// The path, then the values of the request fields its responses vary on.
    private func cacheKey(for request: EdgeRequest) -> String {
        guard let names = varyByPath[request.path], !names.isEmpty else { return request.path }
        return request.path + "\n" + names.map { "\($0.canonicalName)=\(request.headerFields[$0] ?? "")" }.joined(separator: "\n")
    }

    private static func path(ofKey key: String) -> Substring {
        key.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)[0]
    }

    // MARK: - Upstream

    /// What one upstream request produced, shared by every request that waited for it.
    enum FetchOutcome: Sendable {
        /// A stored (or refreshed) response, the key it is stored under, and whether a stale
        /// copy was being replaced or revalidated.
        case cached(CacheEntry, upstreamStatus: HTTPResponse.Status, key: String, replacedStale: Bool)
        /// A response that may not be stored, passed on as it is.
        case passed(UpstreamResponse)
        /// A 5xx, or no response at all.
        case failed(UpstreamResponse?, UpstreamError?)
    }

    /// The running fetch for `key`, or a new one; `collapsed` when joining one already running.
    private func fetchTask(key: String, request: EdgeRequest) -> (Task<FetchOutcome, Never>, collapsed: Bool) {
        if let running = inFlight[key] { return (running, true) }
        let stale = store.peek(key)
        let task = Task { await self.fetch(key: key, request: request, stale: stale) }
        inFlight[key] = task
        return (task, false)
    }

    private func fetch(key: String, request: EdgeRequest, stale: CacheEntry?) async -> FetchOutcome {
        defer { inFlight[key] = nil }
        var fields = Self.forwardable(request.headerFields)
        if let tag = stale?.entityTag {
            fields[.ifNoneMatch] = tag
        } else if let modified = stale?.headerFields[.lastModified] {
            fields[.ifModifiedSince] = modified
        }
        let requestTime = clock.now()
        let started = ContinuousClock.now
        let response: UpstreamResponse
        do {
            response = try await upstream.fetch(request.path, headerFields: fields)
        } catch {
            metrics.upstreamFinished(after: ContinuousClock.now - started, failed: true)
            logger.warning("upstream failed", metadata: ["path": "\(request.path)", "error": "\(error)"])
            return .failed(nil, error)
        }
        metrics.upstreamFinished(after: ContinuousClock.now - started, failed: response.status.kind == .serverError)
        let responseTime = clock.now()
        if response.status == .notModified, var entry = stale {
            entry.refresh(with: response.headerFields, requestTime: requestTime, responseTime: responseTime)
            keep(entry, under: key)
            return .cached(entry, upstreamStatus: .notModified, key: key, replacedStale: true)
        }
        if response.status.kind == .serverError { return .failed(response, nil) }
        let entry = CacheEntry(
            status: response.status, headerFields: response.headerFields, body: response.body,
            requestTime: requestTime, responseTime: responseTime)
        let vary = response.headerFields[values: .vary].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard entry.directives.isStorable, entry.freshnessLifetime > 0 || entry.entityTag != nil, !vary.contains("*"),
            response.status != .notModified, response.status != .partialContent
        else { return .passed(response) }
        let names = vary.compactMap { HTTPField.Name($0) }
        if names != varyByPath[request.path] ?? [] {
            varyByPath[request.path] = names.isEmpty ? nil : names
        }
        let storedKey = cacheKey(for: request)
        keep(entry, under: storedKey)
        return .cached(entry, upstreamStatus: response.status, key: storedKey, replacedStale: stale != nil)
    }

    /// The client's request fields that go upstream: end-to-end ones only, and not its own
    /// validators (the edge revalidates with the validators of what it stores).
    private static func forwardable(_ fields: HTTPFields) -> HTTPFields {
        var forwarded = fields
        for name in [HTTPField.Name.connection, .transferEncoding, .upgrade, .te, .trailer, .proxyAuthorization,
                     .contentLength, .ifNoneMatch, .ifModifiedSince, .ifMatch, .ifUnmodifiedSince, .range,
                     HTTPField.Name("Keep-Alive")!] {
            forwarded[name] = nil
        }
        forwarded[.userAgent] = "manifest-edge"
        return forwarded
    }

    private func keep(_ entry: CacheEntry, under key: String) {
        let evicted = store.set(key, entry, size: entry.size + key.utf8.count)
        metrics.evicted(evicted.count)
        metrics.updateHoldings(bytes: store.bytes, entries: store.count)
    }

    // MARK: - Answers

    private func respond(with outcome: FetchOutcome, to request: EdgeRequest, key: String, collapsed: Bool) -> EdgeResponse {
        let now = clock.now()
        let collapsedStatus = collapsed ? "; collapsed" : ""
        switch outcome {
        case .cached(let entry, let upstreamStatus, _, let replacedStale):
            metrics.record(upstreamStatus == .notModified ? .revalidated : .miss)
            let forwarded = replacedStale ? "stale" : "miss"
            return serve(entry, to: request, now: now,
                         cacheStatus: "fwd=\(forwarded); fwd-status=\(upstreamStatus.code); stored\(collapsedStatus)")
        case .passed(let response):
            metrics.record(.pass)
            var fields = response.headerFields
            fields.append(HTTPField(name: .cacheStatus, value: "\(configuration.name); fwd=miss; fwd-status=\(response.status.code)\(collapsedStatus)"))
            return EdgeResponse(status: response.status, headerFields: fields,
                                body: request.method == .head ? ByteBuffer() : response.body)
        case .failed(let response, let error):
            let upstreamStatus = response.map { "; fwd-status=\($0.status.code)" } ?? ""
            if let stale = store.peek(key), stale.mayServeOnError(at: now) {
                metrics.record(.staleIfError)
                return serve(stale, to: request, now: now,
                             cacheStatus: "fwd=stale\(upstreamStatus); detail=stale-if-error\(collapsedStatus)")
            }
            metrics.record(.error)
            var answer: EdgeResponse
            switch (response, error) {
            case (let response?, _):
                answer = EdgeResponses.error(.badGateway, "the origin answered \(response.status.code) and no cached copy can stand in")
            case (nil, .timeout?):
                answer = EdgeResponses.error(.gatewayTimeout, "the origin did not answer in time and no cached copy can stand in")
            default:
                answer = EdgeResponses.error(.badGateway, "the origin is unreachable and no cached copy can stand in")
            }
            answer.headerFields.append(HTTPField(name: .cacheStatus, value: "\(configuration.name); fwd=miss\(upstreamStatus); detail=upstream-failed"))
            return answer
        }
    }

    /// A stored response for this request: `Age` computed now, this cache's `Cache-Status`
    /// appended, and 304 when the request's `If-None-Match` matches.
    private func serve(_ entry: CacheEntry, to request: EdgeRequest, now: Date, cacheStatus: String) -> EdgeResponse {
        var fields = entry.headerFields
        fields[.age] = String(Int(max(0, entry.currentAge(at: now))))
        fields.append(HTTPField(name: .cacheStatus, value: "\(configuration.name); \(cacheStatus)"))
        if let condition = request.headerFields[.ifNoneMatch], entry.status == .ok,
            EntityTag.ifNoneMatch(condition, matches: entry.entityTag)
        {
            fields[.contentLength] = nil
            fields[.contentType] = nil
            return EdgeResponse(status: .notModified, headerFields: fields, body: ByteBuffer())
        }
        return EdgeResponse(status: entry.status, headerFields: fields, body: request.method == .head ? ByteBuffer() : entry.body)
    }
}

/// Error answers the edge makes itself: JSON with a sentence, never cached downstream.
enum EdgeResponses {
    static func error(_ status: HTTPResponse.Status, _ message: String, allow: String? = nil) -> EdgeResponse {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[.cacheControl] = "no-store"
        fields[.accessControlAllowOrigin] = "*"
        if let allow { fields[.allow] = allow }
        let body = #"{"error":"\#(message)","status":\#(status.code)}"#
        return EdgeResponse(status: status, headerFields: fields, body: ByteBuffer(string: body))
    }
}
