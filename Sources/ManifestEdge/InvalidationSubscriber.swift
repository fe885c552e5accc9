import Foundation
import Logging
import ManifestBuilder
import ServiceLifecycle
import Synchronization

/// Follows the origin's invalidation stream (`/v1/events`, long polling) and soft-purges what
/// each publish changed, so that a publish reaches the edge without waiting out the TTL.
///
/// It remembers the last sequence it applied and asks for what came after, so a dropped
/// connection or an origin restart loses no invalidation; while the stream is down the TTL is
/// still the bound. A `Service`: it stops on graceful shutdown.
public final class InvalidationSubscriber: Service {
    private let upstream: any Upstream
    private let cache: EdgeCache
    private let wait: Int
    private let retryDelay: Duration
    private let logger: Logger
    private let state: Mutex<State>

    private struct State {
        var applied: Int64?
        var waiters: [(sequence: Int64, continuation: CheckedContinuation<Void, Never>)] = []
    }

    /// `upstream` should allow a request `wait` seconds longer than its usual deadline.
    /// `startAfter` resumes from a sequence already applied (nil: from now on).
    public init(
        upstream: any Upstream, cache: EdgeCache, wait: Int = 20, retryDelay: Duration = .seconds(1),
        startAfter: Int64? = nil, logger: Logger = Logger(label: "manifest.edge.stream")
    ) {
        self.upstream = upstream
        self.cache = cache
        self.wait = wait
        self.retryDelay = retryDelay
        self.logger = logger
        self.state = Mutex(State(applied: startAfter))
    }

    /// The last sequence applied (nil before the first answer).
    public var appliedSequence: Int64? { state.withLock { $0.applied } }

    /// Returns once every event up to `sequence` has been applied.
    public func waitUntilApplied(_ sequence: Int64) async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state in
                if let applied = state.applied, applied >= sequence { return true }
                state.waiters.append((sequence, continuation))
                return false
            }
            if done { continuation.resume() }
        }
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await self.poll()
                } catch {
                    if Task.isCancelled { break }
                    self.cache.metrics.streamFailed()
                    self.logger.warning("invalidation stream failed; retrying", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: self.retryDelay)
                }
            }
        }
    }

    private struct Batch: Decodable {
        var events: [PublishEvent]
        var last: Int64
    }

    private func poll() async throws {
        let applied = appliedSequence
        let path = applied.map { "/v1/events?after=\($0)&wait=\(wait)" } ?? "/v1/events"
        let response = try await upstream.fetch(path, headerFields: [:])
        guard response.status == .ok else { throw UpstreamError.unreachable("HTTP \(response.status.code)") }
        let batch = try JSONDecoder().decode(Batch.self, from: Data(buffer: response.body))
        for event in batch.events where event.sequence > (applied ?? 0) {
            cache.purge(.surrogateKey("writekey:\(event.writeKey)"), soft: true)
            cache.metrics.invalidated(sequence: event.sequence)
            logger.debug("invalidated", metadata: ["sequence": "\(event.sequence)", "writeKey": "\(event.writeKey)"])
        }
        let ready = state.withLock { state in
            state.applied = max(state.applied ?? 0, batch.last)
            let applied = state.applied!
            let ready = state.waiters.filter { $0.sequence <= applied }
            state.waiters.removeAll { $0.sequence <= applied }
            return ready
        }
        for waiter in ready { waiter.continuation.resume() }
    }
}
