/// What a publish keeps of each source it published, for the report after its commit: in
/// memory up to a bound, then in a temporary file (`SpillFile`) a few thousand at a time, so
/// that a full rebuild of a million sources does not hold a million diffs (issue 16). A
/// publish of a few sources (the control plane's) never touches the disk.
struct PublishedLog: Sendable {
    /// How many sources were published.
    private(set) var count = 0
    private var pending: [Publisher.Published] = []
    /// The spilled chunks, in order: where each starts in the file, and its length in bytes.
    private var chunks: [(offset: Int, length: Int)] = []
    private var file: SpillFile?
    private var spillFailed = false
    private let spillAfter: Int

    init(spillAfter: Int = 4_096) {
        self.spillAfter = max(1, spillAfter)
    }

    mutating func append(contentsOf published: [Publisher.Published]) {
        count += published.count
        pending += published
        if pending.count >= spillAfter { spill() }
    }

    /// Each source published, in order.
    func readBack(_ body: (Publisher.Published) async throws -> Void) async rethrows {
        for chunk in chunks {
            var reader = ByteReader(file!.read(UInt8.self, at: chunk.offset, count: chunk.length))
            while !reader.isAtEnd { try await body(Publisher.Published(from: &reader)) }
        }
        for published in pending { try await body(published) }
    }

    private mutating func spill() {
        guard !spillFailed else { return }
        if file == nil { file = SpillFile() }
        var bytes: [UInt8] = []
        for published in pending { published.encode(into: &bytes) }
        guard let file, let offset = file.append(bytes) else {
            // No temporary file: the log stays in memory.
            spillFailed = true
            return
        }
        chunks.append((offset, bytes.count))
        pending.removeAll(keepingCapacity: true)
    }
}

extension Publisher.Published {
    /// Its bytes in the log: lengths and numbers as 8 bytes, strings as their UTF-8.
    func encode(into bytes: inout [UInt8]) {
        bytes.append(writeKey)
        bytes.append(sourceID)
        bytes.append(version)
        bytes.append(reason.rawValue)
        bytes.append(previousVersion ?? -1)
        switch diff {
        case .known(let diff):
            bytes.append(0 as Int)
            for names in [diff.added, diff.removed, diff.changed] {
                bytes.append(names.count)
                for name in names { bytes.append(name) }
            }
        case .against(let destinations):
            bytes.append(1 as Int)
            bytes.append(destinations.digests.count)
            for (name, digest) in destinations.digests {
                bytes.append(name)
                bytes.append(digest)
            }
        }
    }

    /// Reads back what `encode(into:)` wrote.
    init(from reader: inout ByteReader) {
        writeKey = reader.string()
        sourceID = reader.string()
        version = reader.int()
        reason = PublishedChange.Reason(rawValue: reader.string())!
        let previous = reader.int()
        previousVersion = previous < 0 ? nil : previous
        if reader.int() == 0 {
            let names = (0..<3).map { _ in (0..<reader.int()).map { _ in reader.string() } }
            diff = .known(ManifestDiff(added: names[0], removed: names[1], changed: names[2]))
        } else {
            var digests: [String: Int] = [:]
            for _ in 0..<reader.int() {
                let name = reader.string()
                digests[name] = reader.int()
            }
            diff = .against(ManifestDiff.Destinations(digests: digests))
        }
    }
}

extension [UInt8] {
    fileprivate mutating func append(_ number: Int) {
        Swift.withUnsafeBytes(of: Int64(number).littleEndian) { append(contentsOf: $0) }
    }

    fileprivate mutating func append(_ string: String) {
        append(string.utf8.count)
        append(contentsOf: string.utf8)
    }
}

/// Reads what `PublishedLog` wrote, front to back.
struct ByteReader {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { position >= bytes.count }

    mutating func int() -> Int {
        var value: Int64 = 0
        withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: bytes[position..<position + 8]) }
        position += 8
        return Int(Int64(littleEndian: value))
    }

    mutating func string() -> String {
        let count = int()
        defer { position += count }
        return String(decoding: bytes[position..<position + count], as: UTF8.self)
    }
}
