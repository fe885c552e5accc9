import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Hands memory the cache let go of back to the operating system.
///
/// Why: glibc's malloc keeps freed chunks in its arenas for reuse instead of returning them, so
/// after a purge of everything or a wave of evictions the edge's resident memory stays at its
/// peak although the cache holds nothing (issue 17: an edge grown to 408 MiB kept it after a
/// purge; `bench/memory.sh` measures it). `malloc_trim(0)` returns the free pages of every
/// arena. It walks the whole heap, so it runs off the request path, at most one at a time,
/// after a hard purge of everything or once `threshold` bytes were evicted or purged since the
/// last trim. Elsewhere than glibc it does nothing.
final class MemoryRelease: Sendable {
    /// Bytes freed since the last trim that make the next one worth its cost.
    let threshold: Int
    private let release: @Sendable () -> Void
    private let freedSinceTrim = Atomic<Int>(0)
    private let trimming = Atomic<Bool>(false)

    /// `release` is what a trim does: `malloc_trim(0)`, or a probe in tests.
    init(threshold: Int, release: @escaping @Sendable () -> Void = MemoryRelease.trim) {
        self.threshold = max(1, threshold)
        self.release = release
    }

    /// Bytes freed since the last trim started.
    var pendingBytes: Int { freedSinceTrim.load(ordering: .relaxed) }
    /// Whether a trim is running (another one is not started meanwhile).
    var isTrimming: Bool { trimming.load(ordering: .acquiring) }

    /// Notes `bytes` of responses freed (evicted or purged); trims when they add up to the
    /// threshold, or at once with `now` (a hard purge of everything).
    func freed(_ bytes: Int, now: Bool = false) {
        guard bytes > 0 || now else { return }
        let total = freedSinceTrim.add(max(0, bytes), ordering: .relaxed).newValue
        guard now || total >= threshold else { return }
        guard trimming.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return }
        freedSinceTrim.store(0, ordering: .relaxed)
        Task.detached(priority: .background) { [self] in
            release()
            trimming.store(false, ordering: .releasing)
        }
    }

    /// `malloc_trim(0)`, looked up at run time: the Glibc module does not include `malloc.h`,
    /// and other C libraries do not have it.
    static func trim() {
        #if canImport(Glibc)
            typealias Trim = @convention(c) (Int) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
            _ = unsafeBitCast(symbol, to: Trim.self)(0)
        #endif
    }
}
