#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file's bytes mapped into memory, read front to back, whose pages are handed back as the
/// reading passes them.
///
/// Why: a workspace file read into memory stays resident for the whole validation, and a
/// platform's file grows with its sources; mapped, its pages come from the page cache as they
/// are read and leave the process once read (`release(before:)`), so the resident memory a
/// streamed read needs does not grow with the file (issue 16).
final class MappedFile {
    private let base: UnsafeMutableRawPointer?
    let count: Int
    private var released = 0

    /// Nil when the file cannot be opened or mapped (the caller reads it the ordinary way,
    /// which says why).
    init?(path: String) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        count = Int(status.st_size)
        guard count > 0 else {
            base = nil
            return
        }
        let mapped = mmap(nil, count, PROT_READ, MAP_PRIVATE, descriptor, 0)
        guard let mapped, mapped != MAP_FAILED else { return nil }
        base = mapped
        _ = madvise(mapped, count, MADV_SEQUENTIAL)
    }

    deinit {
        if let base { munmap(base, count) }
    }

    func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(start: base?.assumingMemoryBound(to: UInt8.self), count: count))
    }

    /// Hands back the whole pages before `offset`: they are not read again (a later access would
    /// read them from the file once more).
    func release(before offset: Int) {
        guard let base else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let end = min(offset, count) / page * page
        guard end > released else { return }
        _ = madvise(base + released, end - released, MADV_DONTNEED)
        released = end
    }
}
