import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A temporary file only this process can reach: unlinked as soon as it is made, so it is gone
/// with its last reference, even when the process is killed. What a long publish or validation
/// keeps of each source goes there past a bound (`DuplicateKeys`, `PublishedLog`), so that
/// memory does not grow with the workspace (issue 16).
///
/// Items are written as their bytes: only plain values without references go in.
final class SpillFile: Sendable {
    private let descriptor: Int32
    private let length = Mutex(0)

    /// Nil when no temporary file can be made (`TMPDIR`, or /tmp).
    init?() {
        let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(directory)/manifest-spill-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { return nil }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Appends `items`' bytes; returns where they start, or nil when they could not be written
    /// (the disk is full).
    func append<Item: BitwiseCopyable>(_ items: [Item]) -> Int? {
        length.withLock { length in
            let offset = length
            let written = items.withUnsafeBytes { bytes in
                var done = 0
                while done < bytes.count {
                    let count = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
                    guard count > 0 else { return false }
                    done += count
                }
                return true
            }
            guard written else { return nil }
            length += MemoryLayout<Item>.stride * items.count
            return offset
        }
    }

    /// The `count` items written at `offset`.
    func read<Item: BitwiseCopyable>(_ type: Item.Type, at offset: Int, count: Int) -> [Item] {
        [Item](unsafeUninitializedCapacity: count) { buffer, initialized in
            let bytes = UnsafeMutableRawBufferPointer(buffer)
            var done = 0
            while done < bytes.count {
                let got = pread(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
                // The process's own unlinked file: a failed read back is the machine's failure.
                precondition(got > 0, "cannot read back a temporary file")
                done += got
            }
            initialized = count
        }
    }
}
