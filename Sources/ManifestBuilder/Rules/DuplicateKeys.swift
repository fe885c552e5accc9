/// The keys W1 and R13 want unique across a workspace (source ids, write keys, instance ids),
/// gathered as sources stream by and compared once all are in, in memory that does not grow
/// with the workspace (issue 16).
///
/// Each key is kept as a 32-byte record (its 128-bit fingerprint, where it was, which kind)
/// in one of 256 partitions chosen by the fingerprint, so that equal keys meet in the same
/// partition. A partition holding `spillAfter` records in memory appends them to a temporary
/// file (unlinked at once, so nothing is left behind); the comparison then reads one partition
/// at a time. A million sources of eight instances are ten million records, 320 MB on disk and
/// about 3 MB in memory for the partition compared; a workspace of a few thousand sources never
/// touches the disk. When no temporary file can be made, the records stay in memory.
struct DuplicateKeys {
    enum Kind: UInt8 {
        case sourceID, writeKey, instanceID
    }

    /// A key met again: where (`source`, and `position` among its instances), and the source
    /// that had it first (`owner`, which is `source` for an instance id used twice in one source).
    struct Duplicate: Equatable {
        var kind: Kind
        var source: Int
        var position: Int
        var owner: Int
    }

    /// One key, as kept: the order records are added in is the order of the workspace.
    private struct Record {
        var first: UInt64
        var second: UInt64
        var source: UInt32
        var position: UInt32
        var kind: UInt8
    }

    /// What a partition compares: a key of one kind.
    private struct Key: Hashable {
        var first: UInt64
        var second: UInt64
        var kind: UInt8
    }

    private static let partitionCount = 256
    private let spillAfter: Int
    private var buffers: [[Record]]
    /// Where each partition's spilled records are in the file, in order: (offset, count).
    private var spilled: [[(offset: Int, count: Int)]]
    private var file: SpillFile?
    private var spillFailed = false

    init(spillAfter: Int = 1_024) {
        self.spillAfter = max(1, spillAfter)
        buffers = Array(repeating: [], count: Self.partitionCount)
        spilled = Array(repeating: [], count: Self.partitionCount)
    }

    mutating func add(_ kind: Kind, _ key: String, source: Int, position: Int = 0) {
        var first = Hasher()
        first.combine(0 as UInt8)
        first.combine(key)
        var second = Hasher()
        second.combine(1 as UInt8)
        second.combine(key)
        let record = Record(
            first: UInt64(bitPattern: Int64(first.finalize())), second: UInt64(bitPattern: Int64(second.finalize())),
            source: UInt32(truncatingIfNeeded: source), position: UInt32(truncatingIfNeeded: position),
            kind: kind.rawValue)
        let partition = Int(record.first >> 56)
        buffers[partition].append(record)
        if buffers[partition].count >= spillAfter { spill(partition) }
    }

    /// Every key met again, in the order of the workspace (by source, then position).
    func duplicates() -> [Duplicate] {
        var found: [Duplicate] = []
        for partition in 0..<Self.partitionCount {
            var owners: [Key: UInt32] = [:]
            func compare(_ records: some Sequence<Record>) {
                for record in records {
                    let key = Key(first: record.first, second: record.second, kind: record.kind)
                    if let owner = owners[key] {
                        found.append(
                            Duplicate(
                                kind: Kind(rawValue: record.kind)!, source: Int(record.source),
                                position: Int(record.position), owner: Int(owner)))
                    } else {
                        owners[key] = record.source
                    }
                }
            }
            for chunk in spilled[partition] {
                compare(file!.read(Record.self, at: chunk.offset, count: chunk.count))
            }
            compare(buffers[partition])
        }
        return found.sorted { ($0.source, $0.position, $0.kind.rawValue) < ($1.source, $1.position, $1.kind.rawValue) }
    }

    private mutating func spill(_ partition: Int) {
        guard !spillFailed else { return }
        if file == nil { file = SpillFile() }
        guard let file, let offset = file.append(buffers[partition]) else {
            spillFailed = true
            return
        }
        spilled[partition].append((offset, buffers[partition].count))
        buffers[partition].removeAll(keepingCapacity: true)
    }
}
