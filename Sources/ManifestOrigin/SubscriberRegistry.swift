import Foundation
import ManifestHTTP
import Synchronization

/// The edges that follow this origin's invalidation stream, by name, with the sequence each one
/// has applied: every long poll says so through its `after`.
///
/// A `Mutex` around a small dictionary (one entry per edge, one short update per long poll).
/// An edge not heard from for `forgetAfter` is dropped from the list.
public final class SubscriberRegistry: Sendable {
    private let entries = Mutex<[String: SubscriberList.Subscriber]>([:])
    private let forgetAfter: TimeInterval

    public init(forgetAfter: Duration = .seconds(300)) {
        self.forgetAfter = TimeInterval(forgetAfter.components.seconds)
    }

    func record(name: String, applied: Int64, at now: Date) {
        entries.withLock { $0[name] = SubscriberList.Subscriber(name: name, applied: applied, seenAt: now) }
    }

    /// The edges heard from lately, by name.
    public func list(now: Date = Date()) -> SubscriberList {
        let subscribers = entries.withLock { entries in
            entries = entries.filter { now.timeIntervalSince($0.value.seenAt) < forgetAfter }
            return entries.values.sorted { $0.name < $1.name }
        }
        return SubscriberList(subscribers: subscribers)
    }
}
