import Foundation
import ManifestBuilder

/// One answer of the invalidation stream, `GET /v1/events?after={sequence}&wait={seconds}`:
/// the publish events after `after`, in order, and the sequence to ask from next.
///
/// The origin serves it from its store and a shield edge relays it from what it applied; the
/// edge's `InvalidationSubscriber` reads it. `reset` (relays only) says the follower asked for
/// events older than the relay keeps: it should purge everything and go on from `last`.
public struct EventBatch: Codable, Hashable, Sendable {
    public var events: [PublishEvent]
    public var last: Int64
    public var reset: Bool?

    public init(events: [PublishEvent], last: Int64, reset: Bool = false) {
        self.events = events
        self.last = last
        self.reset = reset ? true : nil
    }

    /// The longest a long poll waits for an event, in seconds, and how long it waits by default.
    public static let maxWait = 30
    public static let defaultWait = 20

    /// The `wait` parameter as a duration: missing or unreadable means the default, and it is
    /// clamped to 0...`maxWait`.
    public static func wait(_ parameter: String?) -> Duration {
        .seconds(min(maxWait, max(0, parameter.flatMap { Int($0) } ?? defaultWait)))
    }

    /// The JSON body, with sorted keys so that equal batches are equal bytes.
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // Integers and strings always encode.
        return (try? encoder.encode(self)) ?? Data(#"{"events":[],"last":\#(last)}"#.utf8)
    }
}
