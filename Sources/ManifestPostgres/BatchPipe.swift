import Dispatch
import ManifestBuilder
import Synchronization

/// Hands a publish's batches from the thread that builds them to the transaction that inserts
/// them, at most `capacity` waiting at a time: the builder blocks when the database falls behind,
/// so a publish of many sources never holds more than a few batches (issue 16). The builder
/// also asks the transaction for heads through it (`heads(_:)`), a batch of write keys at a time:
/// the transaction's connection answers between inserts, so a publish needs no other connection
/// (one from the pool could be long in coming while publishers wait on the publish lock).
///
/// The builder (`Publisher`'s synchronous `prepare`) runs on a thread of its own, not in the
/// Swift concurrency pool, because it blocks.
final class BatchPipe: Sendable {
    /// What the builder asks of the transaction.
    enum Request: Sendable {
        case insert(PublishBatch)
        /// The heads of these write keys, for `answer`.
        case heads([String], HeadsAnswer)
    }

    /// The requests, in order; the stream ends when the builder does, with its error if it threw.
    let requests: AsyncThrowingStream<Request, any Error>
    private let continuation: AsyncThrowingStream<Request, any Error>.Continuation
    private let room: DispatchSemaphore
    /// Whether the inserting side gave up, and the heads the builder is waiting for.
    private let state = Mutex<(stopped: Bool, waiting: HeadsAnswer?)>((false, nil))

    /// The inserting side gave up: the builder's next `send` or `heads` throws this.
    struct Stopped: Error {}

    init(capacity: Int) {
        (requests, continuation) = AsyncThrowingStream.makeStream()
        // Made empty and then given its room: libdispatch refuses to free a semaphore whose
        // count is below the one it was made with, as it is after a stopped publish.
        room = DispatchSemaphore(value: 0)
        for _ in 0..<capacity { room.signal() }
    }

    /// The builder's side: waits while `capacity` batches wait to be inserted.
    func send(_ batch: PublishBatch) throws {
        room.wait()
        guard !state.withLock({ $0.stopped }) else {
            room.signal()
            throw Stopped()
        }
        continuation.yield(.insert(batch))
    }

    /// The builder's side: the heads of `writeKeys`, once the transaction has read them.
    func heads(_ writeKeys: [String]) throws -> [String: PublishedHead] {
        let answer = HeadsAnswer()
        let asked = state.withLock { state in
            guard !state.stopped else { return false }
            state.waiting = answer
            return true
        }
        guard asked else { throw Stopped() }
        continuation.yield(.heads(writeKeys, answer))
        let heads = answer.wait()
        state.withLock { $0.waiting = nil }
        return try heads.get()
    }

    /// The inserting side: a batch is written, make room for the next.
    func taken() {
        room.signal()
    }

    /// The inserting side failed: wake the builder, and make its sends throw.
    func stop() {
        let waiting = state.withLock { state in
            state.stopped = true
            return state.waiting
        }
        waiting?.give(.failure(Stopped()))
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

    /// Where the transaction leaves the heads a builder asked for; the first answer counts.
    final class HeadsAnswer: Sendable {
        private let value = Mutex<Result<[String: PublishedHead], any Error>?>(nil)
        private let given = DispatchSemaphore(value: 0)

        func give(_ heads: Result<[String: PublishedHead], any Error>) {
            let first = value.withLock { value in
                guard value == nil else { return false }
                value = heads
                return true
            }
            if first { given.signal() }
        }

        func wait() -> Result<[String: PublishedHead], any Error> {
            given.wait()
            return value.withLock { $0! }
        }
    }
}
