import Foundation
import Synchronization

/// Runs `produce` for each item on a thread of its own, `depth` results ahead of `consume`,
/// which runs on the calling thread in order: while the caller writes one batch, the next is
/// being built, and a slow consumer stops the producer (backpressure), so at most `depth + 2`
/// results exist at once.
///
/// Synchronous on purpose, like `Parallel`: it runs inside a database transaction. When
/// `consume` throws, the producer is stopped, waited for, and the error is rethrown.
enum Pipeline {
    static func run<Item: Sendable, Output: Sendable>(
        _ items: [Item], depth: Int = 1, produce: @escaping @Sendable (Item) -> Output,
        consume: (Output) throws -> Void
    ) throws {
        guard !items.isEmpty else { return }
        try run(
            depth: depth,
            producing: { emit in
                for item in items {
                    guard emit(produce(item)) else { return }
                }
            }, consume: consume)
    }

    /// The same with a producer that makes its results as it goes (a file read a batch at a
    /// time) and hands each to `emit`, which waits while `depth` results are ahead and returns
    /// false once the consumer has stopped.
    static func run<Output: Sendable>(
        depth: Int = 1, producing producer: @escaping @Sendable (_ emit: (Output) -> Bool) -> Void,
        consume: (Output) throws -> Void
    ) throws {
        let queue = HandOff<Output?>()
        let free = DispatchSemaphore(value: max(1, depth))
        let ready = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        let stop = StopFlag()
        let thread = Thread {
            producer { output in
                free.wait()
                if stop.isSet { return false }
                queue.push(output)
                ready.signal()
                return true
            }
            queue.push(nil)
            ready.signal()
            finished.signal()
        }
        thread.stackSize = 1 << 22
        thread.start()
        defer {
            stop.set()
            free.signal()  // a producer waiting for room sees the stop
            finished.wait()
        }
        while true {
            ready.wait()
            guard let output = queue.pop() else { return }
            free.signal()
            try consume(output)
        }
    }

    private final class StopFlag: Sendable {
        private let value = Atomic(false)
        var isSet: Bool { value.load(ordering: .acquiring) }
        func set() { value.store(true, ordering: .releasing) }
    }

    /// A FIFO between the two threads.
    private final class HandOff<Output: Sendable>: Sendable {
        private let items = Mutex<[Output]>([])

        func push(_ output: Output) {
            items.withLock { $0.append(output) }
        }

        func pop() -> Output {
            items.withLock { $0.removeFirst() }
        }
    }
}
