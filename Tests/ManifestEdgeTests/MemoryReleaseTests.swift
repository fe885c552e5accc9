import Synchronization
import TestSupport
import Testing

@testable import ManifestEdge

/// Issue 17: memory the cache frees goes back to the system. A trim starts once evicted or
/// purged bytes add up to the threshold, or at once after a hard purge of everything
/// (`bench/memory.sh` measures the resident memory it gives back).
@Suite struct MemoryReleaseTests {
    /// Counts the trims a `MemoryRelease` runs, instead of calling `malloc_trim`.
    final class Trims: Sendable {
        let count = Atomic<Int>(0)
    }

    /// Waits, by yielding, until `trims` trims have run and none is running.
    static func settled(_ memory: MemoryRelease, after trims: Int, _ counter: Trims) async throws {
        try await withTimeLimit {
            while counter.count.load(ordering: .acquiring) < trims || memory.isTrimming { await Task.yield() }
        }
    }

    @Test func trimsWhenFreedBytesReachTheThresholdOrAtOnceAfterAPurgeOfEverything() async throws {
        let trims = Trims()
        let memory = MemoryRelease(threshold: 1000) { trims.count.add(1, ordering: .releasing) }
        memory.freed(600)
        #expect(memory.pendingBytes == 600)
        #expect(!memory.isTrimming, "below the threshold nothing is trimmed")
        memory.freed(500)
        #expect(memory.pendingBytes == 0, "reaching the threshold starts a trim and starts counting again")
        try await Self.settled(memory, after: 1, trims)

        memory.freed(10, now: true)
        try await Self.settled(memory, after: 2, trims)
        #expect(memory.pendingBytes == 0)
        memory.freed(0)
        memory.freed(-5)
        #expect(memory.pendingBytes == 0, "nothing freed counts nothing")
        #expect(!memory.isTrimming)
        #expect(trims.count.load(ordering: .acquiring) == 2)
    }
}
