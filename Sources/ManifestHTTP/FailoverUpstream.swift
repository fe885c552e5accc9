import Foundation
import HTTPTypes
import NIOCore
import Synchronization

/// Several replicas of the next hop (origins on one PostgreSQL database), in order of
/// preference: a request goes to the first replica that is up, and a replica that gives no
/// response (refused, reset, timed out) is marked down and the request moves on to the next.
///
/// Health is checked by the traffic itself: a replica marked down is skipped for `downFor`, then
/// the next request tries it again, and an answer marks it up. The edge's invalidation stream
/// goes through the same upstream, so it follows whichever replica is up and resumes by
/// sequence (sequences are global to the database: any replica can answer `after=N`). When
/// every replica is down, each is tried once more before the request fails. Any HTTP answer,
/// 5xx included, is an answer: it is passed on, not retried.
///
/// Unsafe methods (`send`) are not retried on another replica once sent: the first replica that
/// is up gets the request, and its failure is the caller's, since a request that reached a
/// replica before the connection broke may have taken effect.
///
/// A `Mutex` around the replicas' down-until times: two short critical sections per request.
public final class FailoverUpstream: Upstream {
    private let replicas: [any Upstream]
    private let downFor: Duration
    private let clock: any WallClock
    private let downUntil: Mutex<[Date?]>

    public init(replicas: [any Upstream], downFor: Duration = .seconds(5), clock: any WallClock = SystemClock()) {
        precondition(!replicas.isEmpty, "a failover upstream needs at least one replica")
        self.replicas = replicas
        self.downFor = downFor
        self.clock = clock
        self.downUntil = Mutex(Array(repeating: nil, count: replicas.count))
    }

    /// Which replicas are up now, in order (for metrics and tests).
    public var replicasUp: [Bool] {
        let now = clock.now()
        return downUntil.withLock { $0.map { until in until.map { $0 <= now } ?? true } }
    }

    public func fetch(_ path: String, headerFields: HTTPFields) async throws(UpstreamError) -> UpstreamResponse {
        var lastError = UpstreamError.unreachable("no replica")
        for index in order() {
            do {
                let response = try await replicas[index].fetch(path, headerFields: headerFields)
                markUp(index)
                return response
            } catch {
                markDown(index)
                lastError = error
            }
        }
        throw lastError
    }

    public func send(
        _ method: HTTPRequest.Method, _ path: String, headerFields: HTTPFields, body: ByteBuffer
    ) async throws(UpstreamError) -> UpstreamResponse {
        let index = order()[0]
        do {
            let response = try await replicas[index].send(method, path, headerFields: headerFields, body: body)
            markUp(index)
            return response
        } catch {
            markDown(index)
            throw error
        }
    }

    /// The replicas that are up, in order of preference, then those marked down.
    private func order() -> [Int] {
        let now = clock.now()
        let until = downUntil.withLock { $0 }
        let up = until.indices.filter { until[$0].map { $0 <= now } ?? true }
        return up + until.indices.filter { !up.contains($0) }
    }

    private func markDown(_ index: Int) {
        let until = clock.now().addingTimeInterval(downFor.seconds)
        downUntil.withLock { $0[index] = until }
    }

    private func markUp(_ index: Int) {
        downUntil.withLock { if $0[index] != nil { $0[index] = nil } }
    }
}
