import Dispatch
import ManifestBuilder
import Synchronization

/// Hands a publish's batches from the thread that builds them to the transaction that inserts
/// them, at most `capacity` waiting at a time: the builder blocks when the database falls behind,
/// so a publish of many sources never holds more than a few batches (issue 16).
///
/// The builder (`Publisher`'s synchronous `prepare`) runs on a thread of its own, not in the
/// Swift concurrency pool, because it blocks.
final class BatchPipe: Sendable {
    /// The batches, in order; the stream ends when the builder does, with its error if it threw.
    let batches: AsyncThrowingStream<PublishBatch, any Error>
    private let continuation: AsyncThrowingStream<PublishBatch, any Error>.Continuation
    private let room: DispatchSemaphore
    private let stopped = Mutex(false)

    /// The inserting side gave up: the builder's next `send` throws this.
    struct Stopped: Error {}

    init(capacity: Int) {
        (batches, continuation) = AsyncThrowingStream.makeStream()
        // Made empty and then given its room: libdispatch refuses to free a semaphore whose
        // count is below the one it was made with, as it is after a stopped publish.
        room = DispatchSemaphore(value: 0)
        for _ in 0..<capacity { room.signal() }
    }

    /// The builder's side: waits while `capacity` batches wait to be inserted.
    func send(_ batch: PublishBatch) throws {
        room.wait()
        guard !stopped.withLock({ $0 }) else {
            room.signal()
            throw Stopped()
        }
        continuation.yield(batch)
    }

    /// The inserting side: a batch is written, make room for the next.
    func taken() {
        room.signal()
    }

    /// The inserting side failed: wake the builder, and make its sends throw.
    func stop() {
        stopped.withLock { $0 = true }
        room.signal()
    }

    /// Runs `build` on a thread of its own, sending through this pipe, and returns its result.
    func run<Plan: Sendable>(_ build: @escaping @Sendable (BatchPipe) throws -> Plan) async throws -> Plan {
        try await withCheckedThrowingContinuation { result in
            DispatchQueue.global().async {
                do {
                    let plan = try build(self)
                    self.continuation.finish()
                    result.resume(returning: plan)
                } catch {
                    self.continuation.finish(throwing: error)
                    result.resume(throwing: error)
                }
            }
        }
    }

    /// Runs `work` as a task and waits for it on this thread: for the builder, which is not
    /// one of Swift concurrency's threads and may block, to ask the database something.
    static func wait<T: Sendable>(for work: @escaping @Sendable () async throws -> T) throws -> T {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let result: Result<T, any Error>
            do { result = .success(try await work()) } catch { result = .failure(error) }
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return try outcome.withLock { $0! }.get()
    }
}
