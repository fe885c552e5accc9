import Foundation
import Logging
import ManifestBuilder
import ManifestHTTP
import ServiceLifecycle
import Synchronization

/// Follows the origin's invalidation stream (`/v1/events`, long polling) and purges each
/// published write key from Varnish, so that a publish reaches clients reading through Varnish
/// at once instead of after the 30-minute TTL.
///
/// The relay records a sequence only after Varnish acknowledged its purge, and asks for the
/// events after the last one it recorded: Varnish down, a refused purge, a dropped stream or
/// an origin restart delay invalidations but lose none. When it cannot know what it missed (a
/// first start without a saved sequence, or a `reset` from a relaying edge) it bans everything.
/// A `Service`: it stops on graceful shutdown.
public final class PurgeRelay: Service {
    private let stream: EventStreamFollower
    private let purger: VarnishPurger
    private let retryDelay: Duration
    private let stateFile: SequenceFile?
    private let logger: Logger
    private let state: Mutex<State>

    private struct State {
        var purged: Int64?
        var failures = 0
    }

    /// - Parameters:
    ///   - purger: the Varnish to purge; its purges should time out within seconds, so that a
    ///     Varnish that hangs is retried like one that is down.
    ///   - wait: how long each long poll may wait for an event, in seconds.
    ///   - events: the origin (or an edge that relays the stream); it should allow a request
    ///     `wait` seconds longer than usual.
    ///   - name: how the origin lists this relay among the stream's subscribers.
    ///   - startAfter: the last sequence already purged; nil bans everything once and starts
    ///     from the stream's current end.
    ///   - stateFile: where each purged sequence is saved, for the next start.
    public init(
        events: any Upstream, purger: VarnishPurger, name: String = "varnish-relay", wait: Int = 20,
        retryDelay: Duration = .seconds(1), startAfter: Int64? = nil, stateFile: SequenceFile? = nil, logger: Logger
    ) {
        self.stream = EventStreamFollower(upstream: events, name: name, wait: wait)
        self.purger = purger
        self.retryDelay = retryDelay
        self.stateFile = stateFile
        self.logger = logger
        self.state = Mutex(State(purged: startAfter))
    }

    /// The last sequence whose purge Varnish acknowledged (nil before the relay found its place).
    public var purgedSequence: Int64? { state.withLock { $0.purged } }

    /// How many attempts failed so far (stream or purge), for tests and health checks.
    public var failedAttempts: Int { state.withLock { $0.failures } }

    /// Polls and purges until the task is cancelled or the service group shuts down
    /// gracefully; a failed attempt is retried after `retryDelay`, from the same sequence.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await EventStreamFollower.repeating(
                "purge relay", retryDelay: self.retryDelay, logger: self.logger,
                failed: { self.state.withLock { $0.failures += 1 } }
            ) { try await self.step() }
        }
    }

    /// One poll of the stream and the purges it asks for.
    private func step() async throws {
        guard let after = purgedSequence else { return try await start() }
        let batch = try await stream.events(after: after)
        if batch.reset == true {
            try await purger.purgeEverything()
            logger.info("invalidation stream lost its place; banned everything")
            return try record(max(batch.last, batch.events.last?.sequence ?? 0))
        }
        for purge in PurgeBatch.batches(batch.events, after: after) {
            let count = try await purger.purge(keys: purge.keys)
            logger.debug(
                "purged",
                metadata: ["sequence": "\(purge.lastSequence)", "keys": "\(purge.keys)", "objects": "\(count)"])
            try record(purge.lastSequence)
        }
        try record(batch.last)
    }

    /// Finds the stream's end, then bans everything: whatever was published before it, Varnish
    /// may hold an older copy. In this order, a publish between the two is banned too.
    private func start() async throws {
        let last = try await stream.events(after: nil).last
        try await purger.purgeEverything()
        logger.info("purge relay starting from the stream's end; banned everything", metadata: ["sequence": "\(last)"])
        try record(last)
    }

    /// Saves `sequence` (never going back), once Varnish acknowledged everything up to it.
    private func record(_ sequence: Int64) throws {
        // Only `run` records, so nothing moves between the check and the update; the file is
        // written first, so that it never lags behind what the relay reports.
        guard sequence > (purgedSequence ?? -1) else { return }
        try stateFile?.write(sequence)
        state.withLock { $0.purged = sequence }
    }
}
