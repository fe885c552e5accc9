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
    private let policy: RequestPolicy
    private let breaker: Mutex<UpstreamBreaker>
    private let clock: any WallClock
    private let logger: Logger
    private let shards: [Shard]
    private let heldBytes = Atomic<Int>(0)
    private let heldEntries = Atomic<Int>(0)
    /// Returns freed memory to the system after large evictions and hard purges.
    private let memory: MemoryRelease

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
        self.policy = RequestPolicy(configuration)
        self.breaker = Mutex(UpstreamBreaker(threshold: configuration.failureThreshold, backoff: configuration.backoff))
        self.configuration = configuration
        self.clock = clock
        self.metrics = metrics
        self.logger = logger
        let shardCount = min(16, max(1, configuration.byteBudget >> 20))
        self.shards = (0..<shardCount).map { _ in Shard(budget: configuration.byteBudget / shardCount) }
        self.memory = MemoryRelease(threshold: max(configuration.byteBudget / 8, 1 << 20))
    }

    /// Answers a GET or HEAD from the cache, the upstream, or a stale copy when the upstream fails.
    public func respond(to original: EdgeRequest) async -> EdgeResponse {
        var request = original
        request.target = policy.target(original.target)
        guard request.method == .get || request.method == .head else {
            return await forward(request)
        }
        enum Decision {
            case answer(CacheEntry, key: String, cacheStatus: String)
            case wait(Task<FetchOutcome, Never>, key: String, collapsed: Bool)
        }
        let now = clock.now()
        let decision = shard(request.target).state.withLock { state -> Decision in
            if let (entry, key, cacheStatus) = lookUp(request, now: now, in: &state) {
                return .answer(entry, key: key, cacheStatus: cacheStatus)
            }
            let key = Self.cacheKey(for: request, state.varyByPath)
            let (task, collapsed) = fetchTask(key: key, request: request, in: &state)
            return .wait(task, key: key, collapsed: collapsed)
        }
        switch decision {
        case .answer(let entry, let key, let cacheStatus):
            return serve(entry, under: key, to: request, now: now, cacheStatus: cacheStatus)
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
    public func cachedResponse(to original: EdgeRequest) -> EdgeResponse? {
        guard original.method == .get || original.method == .head else { return nil }
        var request = original
        request.target = policy.target(original.target)
        let now = clock.now()
        guard
            let (entry, key, cacheStatus) = shard(request.target).state.withLock({ lookUp(request, now: now, in: &$0) })
        else {
            return nil
        }
        return serve(entry, under: key, to: request, now: now, cacheStatus: cacheStatus)
    }

    /// A stored entry that answers the request now, and how (`Cache-Status`); a stale one within
    /// stale-while-revalidate also starts its revalidation. Runs under the lock, so it only decides:
    /// the answer is built after the lock is released.
    private func lookUp(_ request: EdgeRequest, now: Date, in state: inout State) -> (CacheEntry, String, String)? {
        let key = Self.cacheKey(for: request, state.varyByPath)
        guard let entry = state.store.get(key), entry.answers(request.headerFields) else { return nil }
        if entry.isFresh(at: now) {
            metrics.record(.hit)
            return (entry, key, "hit; ttl=\(Int(entry.timeToLive(at: now)))")
        }
        if entry.mayServeWhileRevalidating(at: now) {
            metrics.record(.staleWhileRevalidate)
            _ = fetchTask(key: key, request: request, in: &state)
            return (entry, key, "hit; ttl=\(Int(entry.timeToLive(at: now))); detail=stale-while-revalidate")
        }
        return nil
    }

    /// Marks matching responses stale (`soft`: still usable if the upstream fails) or removes them.
    /// Returns how many stored responses it touched.
    @discardableResult
    public func purge(_ target: PurgeTarget, soft: Bool) -> Int {
        var count = 0
        var freed = 0
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
                freed += before.0 - store.bytes
                return keys.count
            }
        }
        if !soft { memory.freed(freed, now: target == .all) }
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

    /// The target, then the normalised values of the request fields its responses vary on.
    private static func cacheKey(for request: EdgeRequest, _ varyByPath: [String: [HTTPField.Name]]) -> String {
        guard let names = varyByPath[request.target], !names.isEmpty else { return request.target }
        return request.target + "\n"
            + names.map { "\($0.canonicalName)=\(VaryKey.normalized(request.headerFields[values: $0], of: $0))" }
            .joined(separator: "\n")
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
            let outcome = await self.fetch(key: key, request: request, stored: stale, varyNames: varyNames)
            self.shard(request.target).state.withLock { _ = $0.inFlight.removeValue(forKey: key) }
            return outcome
        }
        state.inFlight[key] = task
        return (task, false)
    }

    private func fetch(key: String, request: EdgeRequest, stored: CacheEntry?, varyNames: [HTTPField.Name]) async
        -> FetchOutcome
    {
        // A stored 206 is neither revalidated nor served stale in place of a whole response; it
        // may only be combined with another part.
        let stale = stored?.partial == nil ? stored : nil
        let storedPart = stored?.partial == nil ? nil : stored
        var fields = policy.upstreamFields(request.headerFields)
        if let tag = stale?.entityTag {
            fields[.ifNoneMatch] = tag
        } else if let modified = stale?.headerFields[.lastModified] {
            fields[.ifModifiedSince] = modified
        }
        let requestTime = clock.now()
        guard breaker.withLock({ $0.allows(at: requestTime) }) else {
            metrics.shortCircuited()
            return .failed(nil, .unreachable("the upstream is failing; backing off"))
        }
        let started = ContinuousClock.now
        let response: UpstreamResponse
        do {
            response = try await upstream.fetch(request.target, headerFields: fields)
        } catch {
            upstreamFinished(started, failed: true)
            logger.debug("upstream failed", metadata: ["path": "\(request.target)", "error": "\(error)"])
            return .failed(nil, error)
        }
        upstreamFinished(started, failed: response.status.kind == .serverError)
        let responseTime = clock.now()
        if response.status == .notModified, var entry = stale {
            entry.refresh(with: response.headerFields, requestTime: requestTime, responseTime: responseTime)
            shard(request.target).state.withLock { keep(entry, under: key, in: &$0) }
            return .cached(entry, upstreamStatus: .notModified, key: key, replacedStale: true)
        }
        // A 5xx: a stale copy that may stand in does; otherwise the origin's answer goes out as it is.
        if response.status.kind == .serverError, stale?.mayServeOnError(at: responseTime) ?? false {
            return .failed(response, nil)
        }
        if response.status == .partialContent, var complete = stale, complete.sameStrongValidator(response.headerFields)
        {
            // RFC 9111 §3.2: a part of the stored response updates its fields; the stored bytes stay.
            complete.refresh(with: response.headerFields, requestTime: requestTime, responseTime: responseTime)
            shard(request.target).state.withLock { keep(complete, under: key, in: &$0) }
            return .passed(response)
        }
        var entry = CacheEntry(
            status: response.status, headerFields: response.headerFields, body: response.body,
            requestTime: requestTime, responseTime: responseTime)
        guard Freshness.mayStore(response.status, entry.directives, response.headerFields, request: request),
            response.status != .partialContent || entry.partial != nil,  // its content matches its Content-Range
            entry.freshnessLifetime > 0 || entry.entityTag != nil || entry.headerFields[.lastModified] != nil
        else { return .passed(response) }
        if let storedPart, let combined = entry.combined(with: storedPart) { entry = combined }
        entry.compress(with: configuration.compression)
        let names = response.headerFields[values: .vary].flatMap { $0.split(separator: ",") }
            .compactMap { HTTPField.Name($0.trimmingCharacters(in: .whitespaces)) }
        let storedKey = shard(request.target).state.withLock { state in
            if names != varyNames { state.varyByPath[request.target] = names.isEmpty ? nil : names }
            let storedKey = Self.cacheKey(for: request, state.varyByPath)
            keep(entry, under: storedKey, in: &state)
            return storedKey
        }
        return .cached(entry, upstreamStatus: response.status, key: storedKey, replacedStale: stale != nil)
    }

    /// Counts a finished upstream request, and moves the breaker (logging when it opens or closes).
    private func upstreamFinished(_ started: ContinuousClock.Instant, failed: Bool) {
        metrics.upstreamFinished(after: ContinuousClock.now - started, failed: failed)
        let now = clock.now()
        switch breaker.withLock({ $0.record(success: !failed, at: now) }) {
        case .opened?:
            logger.info("upstream failing; backing off", metadata: ["backoff": "\(configuration.backoff)"])
        case .closed?: logger.info("upstream answering again")
        case nil: break
        }
    }

    private func keep(_ entry: CacheEntry, under key: String, in state: inout State) {
        let before = (state.store.bytes, state.store.count)
        let size = entry.size + key.utf8.count
        let evicted = state.store.set(key, entry, size: size)
        metrics.evicted(evicted.count)
        if !evicted.isEmpty { memory.freed(before.0 + size - state.store.bytes) }
        recordHoldings(from: before, to: (state.store.bytes, state.store.count))
    }

    /// Keeps identity bytes a request had decoded, in the entry they were decoded from if it is
    /// still stored (see `Representations`): clients that do not compress pay the decoding once.
    private func keep(identity decoded: [UInt8], decodedFrom entry: CacheEntry, under key: String, target: String) {
        shard(target).state.withLock { state in
            guard let stored = state.store.peek(key), !stored.representations.holdsIdentity,
                stored.representations.contentID == entry.representations.contentID
            else { return }
            metrics.identityKept()
            keep(stored.holding(identity: decoded), under: key, in: &state)
        }
    }

    /// Keeps the totals across shards (and their gauges) up to date after a shard changed.
    private func recordHoldings(from before: (bytes: Int, entries: Int), to after: (bytes: Int, entries: Int)) {
        let bytes = heldBytes.add(after.bytes - before.bytes, ordering: .relaxed).newValue
        let entries = heldEntries.add(after.entries - before.entries, ordering: .relaxed).newValue
        metrics.updateHoldings(bytes: bytes, entries: entries)
    }

    // MARK: - Unsafe methods

    /// RFC 9111 §4.4: a request with any other method goes upstream as it is (never stored, never
    /// coalesced); after a 2xx or 3xx answer, the stored responses for its target and for the
    /// same-origin `Location` and `Content-Location` are removed. TRACE and CONNECT are refused.
    private func forward(_ request: EdgeRequest) async -> EdgeResponse {
        guard configuration.forwardsUnsafeMethods, request.method != .trace, request.method != .connect else {
            let allow =
                configuration.forwardsUnsafeMethods ? "GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE" : "GET, HEAD"
            return EdgeResponses.error(.methodNotAllowed, "\(request.method.rawValue) is not served here", allow: allow)
        }
        var fields = policy.upstreamFields(request.headerFields)
        if let type = request.headerFields[.contentType] { fields[.contentType] = type }
        let started = ContinuousClock.now
        let response: UpstreamResponse
        do {
            response = try await upstream.send(request.method, request.target, headerFields: fields, body: request.body)
        } catch {
            metrics.upstreamFinished(after: ContinuousClock.now - started, failed: true)
            metrics.record(.error)
            return error == .timeout
                ? EdgeResponses.error(.gatewayTimeout, "the origin did not answer in time")
                : EdgeResponses.error(.badGateway, "the origin is unreachable")
        }
        metrics.upstreamFinished(after: ContinuousClock.now - started, failed: response.status.kind == .serverError)
        metrics.record(.pass)
        if (200..<400).contains(response.status.code) {
            for target in [request.target] + Self.sameOriginTargets(response.headerFields, request: request) {
                purge(.path(target), soft: false)
            }
        }
        return passThrough(response, to: request, cacheStatus: "fwd=request; fwd-status=\(response.status.code)")
    }

    /// `Host`, which HTTPTypes names only as a request's authority.
    private static let host = HTTPField.Name("Host")!

    /// The `Location` and `Content-Location` of a response that name this host: paths, or
    /// absolute URIs whose authority is the request's `Host`.
    private static func sameOriginTargets(_ fields: HTTPFields, request: EdgeRequest) -> [String] {
        [fields[.location], fields[.contentLocation]].compactMap { value -> String? in
            guard let value, let uri = URLComponents(string: value) else { return nil }
            if uri.host == nil { return value.hasPrefix("/") ? value : nil }
            let authority = uri.port.map { "\(uri.host!):\($0)" } ?? uri.host!
            guard authority.lowercased() == request.headerFields[Self.host]?.lowercased() else { return nil }
            return (uri.percentEncodedPath.isEmpty ? "/" : uri.percentEncodedPath)
                + (uri.percentEncodedQuery.map { "?\($0)" } ?? "")
        }
    }

    // MARK: - Answers

    private func respond(with outcome: FetchOutcome, to request: EdgeRequest, key: String, collapsed: Bool)
        -> EdgeResponse
    {
        let now = clock.now()
        let collapsedStatus = collapsed ? "; collapsed" : ""
        switch outcome {
        case .cached(let entry, let upstreamStatus, let storedKey, let replacedStale):
            metrics.record(upstreamStatus == .notModified ? .revalidated : .miss)
            let forwarded = replacedStale ? "stale" : "miss"
            return serve(
                entry, under: storedKey, to: request, now: now,
                cacheStatus: "fwd=\(forwarded); fwd-status=\(upstreamStatus.code); stored\(collapsedStatus)")
        case .passed(let response):
            metrics.record(.pass)
            return passThrough(
                response, to: request, cacheStatus: "fwd=miss; fwd-status=\(response.status.code)\(collapsedStatus)")
        case .failed(let response, let error):
            let upstreamStatus = response.map { "; fwd-status=\($0.status.code)" } ?? ""
            if let stale = shard(request.target).state.withLock({ $0.store.peek(key) }), stale.mayServeOnError(at: now),
                stale.answers(request.headerFields)
            {
                metrics.record(.staleIfError)
                return serve(
                    stale, under: key, to: request, now: now,
                    cacheStatus: "fwd=stale\(upstreamStatus); detail=stale-if-error\(collapsedStatus)")
            }
            metrics.record(.error)
            if let response {
                // Transparent: the origin's own error, as it sent it.
                return passThrough(response, to: request, cacheStatus: "fwd=miss\(upstreamStatus)\(collapsedStatus)")
            }
            var answer: EdgeResponse
            switch error {
            case .timeout?:
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

    /// An upstream response that is not stored, on its way to the client with this cache's
    /// `Cache-Status` (hop-by-hop fields were removed when it was received).
    private func passThrough(_ response: UpstreamResponse, to request: EdgeRequest, cacheStatus: String) -> EdgeResponse
    {
        var fields = response.headerFields.removingHopByHop()
        fields.append(HTTPField(name: .cacheStatus, value: "\(configuration.name); \(cacheStatus)"))
        return EdgeResponse(
            status: response.status, headerFields: fields, body: request.method == .head ? ByteBuffer() : response.body)
    }

    /// A stored response for this request: `Age` computed now, this cache's `Cache-Status`
    /// appended; a 304 when the request's validators match (RFC 9110 §13.1.2, §13.1.3), and one
    /// range of it when the request asks for one (§14).
    private func serve(
        _ entry: CacheEntry, under key: String, to request: EdgeRequest, now: Date, cacheStatus: String
    ) -> EdgeResponse {
        let added = [
            HTTPField(name: .age, value: String(Int(max(0, entry.currentAge(at: now))))),
            HTTPField(name: .cacheStatus, value: "\(configuration.name); \(cacheStatus)"),
        ]
        if let partial = entry.partial { return Self.partAnswer(partial, entry, to: request, added) }
        if entry.status == .ok, Self.notModified(request.headerFields, entry) {
            // The fields of the representation the client would have had (its ETag, Vary).
            var fields = entry.representations.select(
                acceptEncoding: request.headerFields[.acceptEncoding], withContent: false
            ).fields
            fields[.contentLength] = nil
            fields[.contentType] = nil
            fields[.contentEncoding] = nil
            return EdgeResponse(
                status: .notModified, storedFields: fields, addedFields: added, body: ByteBuffer())
        }
        // Ranges are served from the identity representation, the one their offsets count in.
        if request.method == .get, entry.status == .ok, request.headerFields[.range] != nil {
            let range = ByteRange.requested(
                request.headerFields, length: entry.bodyLength, entityTag: entry.entityTag,
                lastModified: entry.headerFields[.lastModified])
            if let answer = Self.rangeAnswer(range, entry, added) { return answer }
        }
        let sendsContent = request.method != .head
        let variant = entry.representations.select(
            acceptEncoding: request.headerFields[.acceptEncoding], withContent: sendsContent)
        if variant.coding == nil, sendsContent, !entry.representations.holdsIdentity {
            keep(identity: variant.content, decodedFrom: entry, under: key, target: request.target)
        }
        return EdgeResponse(
            status: entry.status, representation: variant, addedFields: added, sendsContent: request.method != .head)
    }

    /// `If-None-Match` when present (weak comparison), otherwise `If-Modified-Since` against
    /// `Last-Modified` (or `Date`); an unreadable date is ignored.
    private static func notModified(_ fields: HTTPFields, _ entry: CacheEntry) -> Bool {
        // `contains` first: most requests carry neither, and the hit path should not allocate for them.
        if fields.contains(.ifNoneMatch) {
            return EntityTag.ifNoneMatch(fields[values: .ifNoneMatch].joined(separator: ","), matches: entry.entityTag)
        }
        guard fields.contains(.ifModifiedSince), let since = fields[.ifModifiedSince].flatMap(HTTPDate.parse),
            let modified = (entry.headerFields[.lastModified] ?? entry.headerFields[.date]).flatMap(HTTPDate.parse)
        else { return false }
        return modified <= since
    }

    /// From a stored 206: the range asked for when the part holds it, otherwise the part as it
    /// came (to the request whose fetch brought it).
    private static func partAnswer(
        _ partial: PartialContent, _ entry: CacheEntry, to request: EdgeRequest, _ added: [HTTPField]
    ) -> EdgeResponse {
        let asked = ByteRange.requested(
            request.headerFields, length: partial.completeLength, entityTag: entry.entityTag,
            lastModified: entry.headerFields[.lastModified])
        var fields = entry.headerFields
        var bytes = partial.range
        if case .partial(let range) = asked, partial.holds(range) { bytes = range }
        fields[.contentRange] = PartialContent.contentRange(bytes, of: partial.completeLength)
        fields[.contentLength] = String(bytes.count)
        let content = entry.identityContent
        let offset = bytes.lowerBound - partial.range.lowerBound
        let body = request.method == .head ? ByteBuffer() : ByteBuffer(bytes: content[offset..<(offset + bytes.count)])
        return EdgeResponse(status: .partialContent, storedFields: fields, addedFields: added, body: body)
    }

    /// A 206 with one range, a 416, or nil for the whole response.
    private static func rangeAnswer(_ range: ByteRange, _ entry: CacheEntry, _ added: [HTTPField]) -> EdgeResponse? {
        let length = entry.bodyLength
        var fields = entry.representations.identity.fields
        switch range {
        case .whole: return nil
        case .unsatisfiable:
            fields[.contentType] = nil
            fields[.contentLength] = "0"
            fields[.contentRange] = "bytes */\(length)"
            return EdgeResponse(
                status: .rangeNotSatisfiable, storedFields: fields, addedFields: added,
                body: ByteBuffer())
        case .partial(let bytes):
            fields[.contentRange] = PartialContent.contentRange(bytes, of: length)
            fields[.contentLength] = String(bytes.count)
            let slice = ByteBuffer(bytes: entry.identityContent[bytes])
            return EdgeResponse(
                status: .partialContent, storedFields: fields, addedFields: added, body: slice)
        }
    }
}
