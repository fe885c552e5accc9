import ManifestBuilder

/// The keys of consecutive publish events that go to Varnish in one purge, and the sequence
/// the relay may record once Varnish has acknowledged it.
struct PurgeBatch: Hashable, Sendable {
    var keys: [String]
    var lastSequence: Int64

    /// Varnish refuses a request field over `http_req_hdr_len` (8 KiB by default), and a poll
    /// can bring 500 events, so their keys are split into purges of at most this many bytes.
    static let maxKeyBytes = 4096

    /// The surrogate key a publish invalidates: the origin tags every answer about a write key
    /// (its latest settings, its pinned versions, its 404) with `writekey:<write key>`. The
    /// event's other keys (workspace, source, destination) also tag manifests and bundles that
    /// the publish did not change, so purging them would only empty the cache.
    static func key(for event: PublishEvent) -> String {
        "writekey:\(event.writeKey)"
    }

    /// The events after `sequence`, in order, as purges of at most `maxKeyBytes` of keys each.
    static func batches(_ events: [PublishEvent], after sequence: Int64) -> [PurgeBatch] {
        var batches: [PurgeBatch] = []
        var current: PurgeBatch?
        var bytes = 0
        for event in events where event.sequence > sequence {
            let key = key(for: event)
            if var batch = current {
                if batch.keys.contains(key) || bytes + 1 + key.utf8.count <= maxKeyBytes {
                    if !batch.keys.contains(key) {
                        batch.keys.append(key)
                        bytes += 1 + key.utf8.count
                    }
                    batch.lastSequence = event.sequence
                    current = batch
                    continue
                }
                batches.append(batch)
            }
            current = PurgeBatch(keys: [key], lastSequence: event.sequence)
            bytes = key.utf8.count
        }
        if let batch = current { batches.append(batch) }
        return batches
    }
}
