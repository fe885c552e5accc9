import Foundation
import HTTPTypes
import Logging
import ManifestHTTP
import NIOCore
import NIOHTTP1
import Synchronization

/// A shared HTTP cache in front of an upstream (the origin, or a shield edge).
///
/// It follows RFC 9111 (freshness, `Age`, `Vary`, validation with `If-None-Match`), RFC 9213
/// (`CDN-Cache-Control` takes precedence for this cache), RFC 5861 (`stale-while-revalidate`,
/// `stale-if-error`) and RFC 9211 (a `Cache-Status` field on every response). Concurrent misses
/// or revalidations of one key share one upstream request; every waiter resumes when it
/// completes. Time comes from an injected clock.
///
/// The shared state sits behind locks rather than in an actor: a hit is answered
/// synchronously (`cachedResponse(to:)`) on the thread that read the request, with no
/// executor hop, which is what lets the edge keep up with nginx on cache hits. The state is
/// split into shards by path (one per MiB of budget, up to 16), each an LRU with its share of
/// the budget, so that event loops rarely wait for each other.
public final class EdgeCache: Sendable {
    public let configuration: EdgeConfiguration
    public let metrics: EdgeMetrics
    private let upstream: any Upstream
    private let clock: any WallClock
    private let logger: Logger
    private let shards: [Shard]
    private let heldBytes = Atomic<Int>(0)
    private let heldEntries = Atomic<Int>(0)

    private final class Shard: Sendable {
        let state: Mutex<State>

        init(budget: Int) {
            state = Mutex(State(store: LRUStore(budget: budget)))
        }
    }

    private struct State: ~Copyable {
        var store: LRUStore<CacheEntry>
        /// The request fields each path's responses vary on, learned from their `Vary`.
        var varyByPath: [String: [HTTPField.Name]] = [:]
        var inFlight: [String: Task<FetchOutcome, Never>] = [:]
    }

    private func shard(_ path: some StringProtocol) -> Shard {
        shards.count == 1 ? shards[0] : shards[Int(UInt(bitPattern: path.hashValue) % UInt(shards.count))]
    }

    public init(
        upstream: any Upstream, configuration: EdgeConfiguration = .init(), clock: any WallClock = SystemClock(),
        metrics: EdgeMetrics = EdgeMetrics(), logger: Logger
    ) {
        self.upstream = upstream
        self.configuration = configuration
        self.clock = clock
        self.metrics = metrics
        self.logger = logger
        let shardCount = min(16, max(1, configuration.byteBudget >> 20))
        self.shards = (0..<shardCount).map { _ in Shard(budget: configuration.byteBudget / shardCount) }
    }

    /// Answers a GET or HEAD from the cache, the upstream, or a stale copy when the upstream fails.
    public func respond(to request: EdgeRequest) async -> EdgeResponse {
        guard request.method == .get || request.method == .head else {
            return EdgeResponses.error(.methodNotAllowed, "only GET and HEAD are served", allow: "GET, HEAD")
        }
        enum Decision {
            case answer(CacheEntry, cacheStatus: String)
            case wait(Task<FetchOutcome, Never>, key: String, collapsed: Bool)
        }
        let now = clock.now()
        let decision = shard(request.target).state.withLock { state -> Decision in
            if let (entry, cacheStatus) = lookUp(request, now: now, in: &state) {
                return .answer(entry, cacheStatus: cacheStatus)
            }
            let key = Self.cacheKey(for: request, state.varyByPath)
            let (task, collapsed) = fetchTask(key: key, request: request, in: &state)
            return .wait(task, key: key, collapsed: collapsed)
        }
        switch decision {
        case .answer(let entry, let cacheStatus):
            return serve(entry, to: request, now: now, cacheStatus: cacheStatus)
        case .wait(let task, let key, let collapsed):
            if collapsed { metrics.coalescedWaiters.increment() }
            let outcome = await task.value
            // A response that turned out to vary on fields this request differs in is not its
            // answer: ask again under the key its fields now give.
            if case .cached(_, _, let storedKey, _) = outcome, collapsed,
                storedKey != shard(request.target).state.withLock({ Self.cacheKey(for: request, $0.varyByPath) })
            {
                return await respond(to: request)
            }
            return respond(with: outcome, to: request, key: key, collapsed: collapsed)
        }
    }

    /// The answer when the cache has one at once: a fresh copy, or a stale one within
    /// stale-while-revalidate (starting the revalidation). `nil` when the request must wait for
    /// the upstream.
    public func cachedResponse(to request: EdgeRequest) -> EdgeResponse? {
        guard request.method == .get || request.method == .head else { return nil }
        let now = clock.now()
        guard let (entry, cacheStatus) = shard(request.target).state.withLock({ lookUp(request, now: now, in: &$0) })
        else {
            return nil
        }
        return serve(entry, to: request, now: now, cacheStatus: cacheStatus)
    }

    /// A stored entry that answers the request now, and how (`Cache-Status`); a stale one within
    /// stale-while-revalidate also starts its revalidation. Runs under the lock, so it only decides:
    /// the answer is built after the lock is released.
    private func lookUp(_ request: EdgeRequest, now: Date, in state: inout State) -> (CacheEntry, String)? {
        let key = Self.cacheKey(for: request, state.varyByPath)
        guard let entry = state.store.get(key) else { return nil }
        if entry.isFresh(at: now) {
            metrics.record(.hit)
            return (entry, "hit; ttl=\(Int(entry.timeToLive(at: now)))")
        }
        if entry.mayServeWhileRevalidating(at: now) {
            metrics.record(.staleWhileRevalidate)
            _ = fetchTask(key: key, request: request, in: &state)
            return (entry, "hit; ttl=\(Int(entry.timeToLive(at: now))); detail=stale-while-revalidate")
        }
        return nil
    }

    /// Marks matching responses stale (`soft`: still usable if the upstream fails) or removes them.
    /// Returns how many stored responses it touched.
    @discardableResult
    public func purge(_ target: PurgeTarget, soft: Bool) -> Int {
        var count = 0
        for shard in shards {
            count += shard.state.withLock { state in
                let store = state.store
                let keys = store.keys.filter { key in
                    switch target {
                    case .all: return true
                    case .path(let path): return Self.path(ofKey: key) == path
                    case .surrogateKey(let surrogate):
                        return store.peek(key)?.surrogateKeys.contains(Substring(surrogate)) ?? false
                    }
                }
                let before = (store.bytes, store.count)
                for key in keys {
                    if soft { store.update(key) { $0.softPurged = true } } else { store.remove(key) }
                }
                recordHoldings(from: before, to: (store.bytes, store.count))
                return keys.count
            }
        }
        metrics.purged(count, soft: soft)
        logger.info("purged", metadata: ["target": "\(target)", "soft": "\(soft)", "responses": "\(count)"])
        return count
    }

    /// Waits until no upstream fetch is running: for tests and the simulator, which need
    /// background revalidations to have finished before they look.
    public func settle() async {
        for shard in shards {
            while let task = shard.state.withLock({ $0.inFlight.values.first }) {
                _ = await task.value
            }
        }
    }

    public var storedBytes: Int { heldBytes.load(ordering: .relaxed) }
    public var storedCount: Int { heldEntries.load(ordering: .relaxed) }

    // MARK: - Keys

    /// The path, then the values of the request fields its responses vary on.
    private static func cacheKey(for request: EdgeRequest, _ varyByPath: [String: [HTTPField.Name]]) -> String {
        guard let names = varyByPath[request.target], !names.isEmpty else { return request.target }
        return request.target + "\n"
            + names.map { "\($0.canonicalName)=\(request.headerFields[$0] ?? "")" }.joined(separator: "\n")
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
    private func fetchTask(
        key: String, request: EdgeRequest, in state: inout State
    ) -> (Task<FetchOutcome, Never>, collapsed: Bool) {
        if let running = state.inFlight[key] { return (running, true) }
        let stale = state.store.peek(key)
        let varyNames = state.varyByPath[request.target] ?? []
        // The task takes the lock only when it finishes, after this insertion.
        let task = Task {
            let outcome = await self.fetch(key: key, request: request, stale: stale, varyNames: varyNames)
            self.shard(request.target).state.withLock { _ = $0.inFlight.removeValue(forKey: key) }
            return outcome
        }
        state.inFlight[key] = task
        return (task, false)
    }

    private func fetch(key: String, request: EdgeRequest, stale: CacheEntry?, varyNames: [HTTPField.Name]) async
        -> FetchOutcome
    {
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
            response = try await upstream.fetch(request.target, headerFields: fields)
        } catch {
            metrics.upstreamFinished(after: ContinuousClock.now - started, failed: true)
            logger.debug("upstream failed", metadata: ["path": "\(request.target)", "error": "\(error)"])
            return .failed(nil, error)
        }
        metrics.upstreamFinished(after: ContinuousClock.now - started, failed: response.status.kind == .serverError)
        let responseTime = clock.now()
        if response.status == .notModified, var entry = stale {
            entry.refresh(with: response.headerFields, requestTime: requestTime, responseTime: responseTime)
            shard(request.target).state.withLock { keep(entry, under: key, in: &$0) }
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
        let storedKey = shard(request.target).state.withLock { state in
            if names != varyNames { state.varyByPath[request.target] = names.isEmpty ? nil : names }
            let storedKey = Self.cacheKey(for: request, state.varyByPath)
            keep(entry, under: storedKey, in: &state)
            return storedKey
        }
        return .cached(entry, upstreamStatus: response.status, key: storedKey, replacedStale: stale != nil)
    }

    /// The client's request fields that go upstream: end-to-end ones only, and not its own
    /// validators (the edge revalidates with the validators of what it stores).
    private static func forwardable(_ fields: HTTPFields) -> HTTPFields {
        var forwarded = fields.removingHopByHop()
        for name in [
            HTTPField.Name.contentLength, .ifNoneMatch, .ifModifiedSince, .ifMatch, .ifUnmodifiedSince, .range,
        ] {
            forwarded[name] = nil
        }
        forwarded[.userAgent] = "manifest-edge"
        return forwarded
    }

    private func keep(_ entry: CacheEntry, under key: String, in state: inout State) {
        let before = (state.store.bytes, state.store.count)
        let evicted = state.store.set(key, entry, size: entry.size + key.utf8.count)
        metrics.evicted(evicted.count)
        recordHoldings(from: before, to: (state.store.bytes, state.store.count))
    }

    /// Keeps the totals across shards (and their gauges) up to date after a shard changed.
    private func recordHoldings(from before: (bytes: Int, entries: Int), to after: (bytes: Int, entries: Int)) {
        let bytes = heldBytes.add(after.bytes - before.bytes, ordering: .relaxed).newValue
        let entries = heldEntries.add(after.entries - before.entries, ordering: .relaxed).newValue
        metrics.updateHoldings(bytes: bytes, entries: entries)
    }

    // MARK: - Answers

    private func respond(with outcome: FetchOutcome, to request: EdgeRequest, key: String, collapsed: Bool)
        -> EdgeResponse
    {
        let now = clock.now()
        let collapsedStatus = collapsed ? "; collapsed" : ""
        switch outcome {
        case .cached(let entry, let upstreamStatus, _, let replacedStale):
            metrics.record(upstreamStatus == .notModified ? .revalidated : .miss)
            let forwarded = replacedStale ? "stale" : "miss"
            return serve(
                entry, to: request, now: now,
                cacheStatus: "fwd=\(forwarded); fwd-status=\(upstreamStatus.code); stored\(collapsedStatus)")
        case .passed(let response):
            metrics.record(.pass)
            var fields = response.headerFields
            fields.append(
                HTTPField(
                    name: .cacheStatus,
                    value: "\(configuration.name); fwd=miss; fwd-status=\(response.status.code)\(collapsedStatus)"))
            return EdgeResponse(
                status: response.status, headerFields: fields,
                body: request.method == .head ? ByteBuffer() : response.body)
        case .failed(let response, let error):
            let upstreamStatus = response.map { "; fwd-status=\($0.status.code)" } ?? ""
            if let stale = shard(request.target).state.withLock({ $0.store.peek(key) }), stale.mayServeOnError(at: now)
            {
                metrics.record(.staleIfError)
                return serve(
                    stale, to: request, now: now,
                    cacheStatus: "fwd=stale\(upstreamStatus); detail=stale-if-error\(collapsedStatus)")
            }
            metrics.record(.error)
            var answer: EdgeResponse
            switch (response, error) {
            case (let response?, _):
                answer = EdgeResponses.error(
                    .badGateway, "the origin answered \(response.status.code) and no cached copy can stand in")
            case (nil, .timeout?):
                answer = EdgeResponses.error(
                    .gatewayTimeout, "the origin did not answer in time and no cached copy can stand in")
            default:
                answer = EdgeResponses.error(.badGateway, "the origin is unreachable and no cached copy can stand in")
            }
            answer.headerFields.append(
                HTTPField(
                    name: .cacheStatus,
                    value: "\(configuration.name); fwd=miss\(upstreamStatus); detail=upstream-failed"))
            return answer
        }
    }

    /// A stored response for this request: `Age` computed now, this cache's `Cache-Status`
    /// appended, and 304 when the request's `If-None-Match` matches.
    private func serve(_ entry: CacheEntry, to request: EdgeRequest, now: Date, cacheStatus: String) -> EdgeResponse {
        let added = [
            HTTPField(name: .age, value: String(Int(max(0, entry.currentAge(at: now))))),
            HTTPField(name: .cacheStatus, value: "\(configuration.name); \(cacheStatus)"),
        ]
        if let condition = request.headerFields[.ifNoneMatch], entry.status == .ok,
            EntityTag.ifNoneMatch(condition, matches: entry.entityTag)
        {
            var fields = entry.headerFields
            fields[.contentLength] = nil
            fields[.contentType] = nil
            return EdgeResponse(
                status: .notModified, storedFields: fields, wireFields: nil, addedFields: added, body: ByteBuffer())
        }
        return EdgeResponse(
            status: entry.status, storedFields: entry.headerFields, wireFields: entry.wireFields, addedFields: added,
            body: request.method == .head ? ByteBuffer() : entry.body)
    }
}
