import Foundation

/// Runs blocking work (a socket read, waiting for a child process) on a thread of its own and
/// returns its result. Not on Dispatch's global queues: on Linux those feed the same small
/// thread pool as Swift concurrency, so a few blocked workers starve every server in the test
/// process (2 cores here).
package func onOwnThread<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do {
                continuation.resume(returning: try body())
            } catch {
                continuation.resume(throwing: error)
            }
        }
        thread.start()
    }
}

/// `onOwnThread` for work that cannot fail.
package func onOwnThread<Result: Sendable>(_ body: @escaping @Sendable () -> Result) async -> Result {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: body()) }.start()
    }
}
