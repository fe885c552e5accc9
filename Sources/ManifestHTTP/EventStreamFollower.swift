import Foundation
import Logging

/// What every follower of the invalidation stream shares (the edge's `InvalidationSubscriber`,
/// the Varnish `PurgeRelay`): how it asks for events, and how it keeps asking when that fails.
public struct EventStreamFollower: Sendable {
    private let upstream: any Upstream
    private let name: String
    private let wait: Int

    /// `name` is how the origin lists this follower at `/v1/subscribers`; `wait` is how long
    /// each long poll may wait for an event, in seconds (`upstream` should allow that long).
    public init(upstream: any Upstream, name: String, wait: Int) {
        self.upstream = upstream
        self.name = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        self.wait = wait
    }

    /// The events after `sequence`, waiting up to `wait` for one; with no sequence, the
    /// stream's end at once (`last`), for a follower that starts from now.
    public func events(after sequence: Int64?) async throws -> EventBatch {
        let path =
            sequence.map { "/v1/events?after=\($0)&wait=\(wait)&\(SubscriberList.nameParameter)=\(name)" }
            ?? "/v1/events"
        let response = try await upstream.fetch(path, headerFields: [:])
        guard response.status == .ok else { throw UpstreamError.unreachable("HTTP \(response.status.code)") }
        return try JSONDecoder().decode(EventBatch.self, from: Data(response.body.readableBytesView))
    }

    /// Runs `step` until the task is cancelled; a step that throws is counted (`failed`) and
    /// retried after `retryDelay`. The logger says when `what` stops working and when it works
    /// again, not at every failure.
    public static func repeating(
        _ what: String, retryDelay: Duration, logger: Logger, failed: @Sendable () -> Void,
        _ step: @Sendable () async throws -> Void
    ) async {
        var failing = false
        while !Task.isCancelled {
            do {
                try await step()
                if failing { logger.info("\(what) restored") }
                failing = false
            } catch {
                if Task.isCancelled { break }
                failed()
                if !failing { logger.info("\(what) failed; retrying", metadata: ["error": "\(error)"]) }
                failing = true
                try? await Task.sleep(for: retryDelay)
            }
        }
    }
}
