import Testing

@testable import ManifestBuilder

/// Issue 16: the keys W1 and R13 compare are kept on disk past a bound; spilled or not, the
/// duplicates found are those of comparing every key with the ones before it.
@Suite("Duplicate keys in bounded memory")
struct DuplicateKeysTests {
    /// The keys of `sources` sources (an id, a write key, four instance ids each) drawn from a
    /// small pool, so that many repeat.
    static func keys(sources: Int, seed: UInt64) -> [(DuplicateKeys.Kind, String, Int, Int)] {
        var random = SplitMix64(seed: seed)
        return (0..<sources).flatMap { source in
            [
                (DuplicateKeys.Kind.sourceID, 0), (.writeKey, 0), (.instanceID, 0), (.instanceID, 1), (.instanceID, 2),
                (.instanceID, 3),
            ].map { kind, position in
                (kind, "key-\(random.next() % 3_000)", source, position)
            }
        }
    }

    /// The duplicates as a dictionary of first owners finds them.
    static func expected(_ keys: [(DuplicateKeys.Kind, String, Int, Int)]) -> [DuplicateKeys.Duplicate] {
        var owners: [String: Int] = [:]
        var found: [DuplicateKeys.Duplicate] = []
        for (kind, key, source, position) in keys {
            let tagged = "\(kind.rawValue) \(key)"
            if let owner = owners[tagged] {
                found.append(.init(kind: kind, source: source, position: position, owner: owner))
            } else {
                owners[tagged] = source
            }
        }
        return found.sorted { ($0.source, $0.position, $0.kind.rawValue) < ($1.source, $1.position, $1.kind.rawValue) }
    }

    @Test("the same duplicates, in memory and spilled to disk", arguments: [1, 7, 1_024, 1_000_000])
    func spilled(_ spillAfter: Int) {
        let keys = Self.keys(sources: 4_000, seed: 16)
        var duplicates = DuplicateKeys(spillAfter: spillAfter)
        for (kind, key, source, position) in keys {
            duplicates.add(kind, key, source: source, position: position)
        }
        let expected = Self.expected(keys)
        let found = duplicates.duplicates()
        #expect(expected.count > 10_000)
        #expect(found.count == expected.count)
        #expect(zip(found, expected).first { $0 != $1 } == nil)
    }

    @Test("a key of one kind does not clash with the same text of another")
    func kindsApart() {
        var duplicates = DuplicateKeys(spillAfter: 1)
        duplicates.add(.sourceID, "same", source: 0)
        duplicates.add(.writeKey, "same", source: 0)
        duplicates.add(.instanceID, "same", source: 0, position: 0)
        duplicates.add(.instanceID, "same", source: 0, position: 1)
        #expect(duplicates.duplicates() == [.init(kind: .instanceID, source: 0, position: 1, owner: 0)])
    }
}
