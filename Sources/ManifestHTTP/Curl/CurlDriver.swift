import CCurl
import Foundation
import HTTPTypes
import Synchronization

private let curlGlobalInit: Void = {
    _ = ccurl_global_init()
}()

/// The thread that owns the libcurl multi handle. Other threads only enqueue transfers and
/// wake it (`curl_multi_wakeup` is the one multi call that is safe from another thread).
///
/// `@unchecked Sendable` because of the raw multi handle: only the driver thread uses it, except
/// for `curl_multi_wakeup`, and `curl_multi_cleanup` when the thread never started. The queue
/// the other threads share is behind a `Mutex` (short critical sections, never awaited in).
final class CurlDriver: @unchecked Sendable {
    private struct Queue {
        var pending: [CurlTransfer] = []
        var cancelled: [ObjectIdentifier] = []
        var started = false
        var stopping = false
        var finished = false
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let configuration: CurlHTTPClient.Configuration
    private let multi: UnsafeMutableRawPointer
    private let queue = Mutex(Queue())

    init(configuration: CurlHTTPClient.Configuration) {
        curlGlobalInit
        self.configuration = configuration
        self.multi = curl_multi_init()
    }

    func submit(_ transfer: CurlTransfer) {
        let (accepted, start) = queue.withLock { queue in
            guard !queue.stopping else { return (false, false) }
            queue.pending.append(transfer)
            defer { queue.started = true }
            return (true, !queue.started)
        }
        guard accepted else { return transfer.finish(.failure(CurlError.shutdown)) }
        if start {
            let thread = Thread { [self] in run() }
            thread.name = "curl-driver"
            thread.start()
        }
        curl_multi_wakeup(multi)
    }

    /// Stops a transfer that is queued or running; it fails with `CurlError.cancelled`.
    func cancel(_ transfer: CurlTransfer) {
        queue.withLock { $0.cancelled.append(ObjectIdentifier(transfer)) }
        curl_multi_wakeup(multi)
    }

    /// Asks the thread to stop, without waiting: transfers in flight fail with
    /// `CurlError.shutdown`, and the thread frees the handles on its way out.
    func requestStop() {
        let (first, started) = queue.withLock { queue in
            defer { queue.stopping = true }
            return (!queue.stopping, queue.started)
        }
        guard first else { return }
        if started {
            curl_multi_wakeup(multi)
        } else {
            curl_multi_cleanup(multi)
            finish()
        }
    }

    /// Stops the thread and returns once it has freed everything.
    func shutdown() async {
        requestStop()
        await withCheckedContinuation { continuation in
            let done = queue.withLock { queue in
                if !queue.finished { queue.stopWaiters.append(continuation) }
                return queue.finished
            }
            if done { continuation.resume() }
        }
    }

    private func finish() {
        let waiters = queue.withLock { queue in
            queue.finished = true
            defer { queue.stopWaiters = [] }
            return queue.stopWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// The driver thread: takes new and cancelled transfers, lets libcurl work, hands finished
    /// transfers their results, and sleeps in `curl_multi_poll` until there is more to do.
    private func run() {
        var handles = Handles()
        while true {
            let (incoming, cancelled, stopping) = queue.withLock { queue in
                defer {
                    queue.pending = []
                    queue.cancelled = []
                }
                return (queue.pending, Set(queue.cancelled), queue.stopping)
            }
            if stopping {
                for transfer in incoming { transfer.finish(.failure(CurlError.shutdown)) }
                for easy in Array(handles.active.keys) { handles.stop(easy, multi: multi, error: .shutdown) }
                break
            }
            for transfer in incoming where cancelled.contains(ObjectIdentifier(transfer)) {
                transfer.finish(.failure(CurlError.cancelled))
            }
            for (easy, transfer) in handles.active where cancelled.contains(ObjectIdentifier(transfer)) {
                handles.stop(easy, multi: multi, error: .cancelled)
            }
            for transfer in incoming where !cancelled.contains(ObjectIdentifier(transfer)) {
                handles.start(transfer, multi: multi, defaults: configuration)
            }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            handles.collectFinished(multi: multi)
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        for easy in handles.idle { curl_easy_cleanup(easy) }
        curl_multi_cleanup(multi)
        finish()
    }

    /// The easy handles the driver thread owns: those with a transfer, and idle ones kept for
    /// reuse (with their connections).
    private struct Handles {
        var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
        var idle: [UnsafeMutableRawPointer] = []

        mutating func start(
            _ transfer: CurlTransfer, multi: UnsafeMutableRawPointer, defaults: CurlHTTPClient.Configuration
        ) {
            let easy = idle.popLast() ?? curl_easy_init()!
            transfer.configure(easy, defaults: defaults)
            curl_multi_add_handle(multi, easy)
            active[easy] = transfer
        }

        /// Ends a transfer before libcurl finished it.
        mutating func stop(_ easy: UnsafeMutableRawPointer, multi: UnsafeMutableRawPointer, error: CurlError) {
            curl_multi_remove_handle(multi, easy)
            active.removeValue(forKey: easy)?.complete(easy, result: nil, error: error)
            curl_easy_reset(easy)
            idle.append(easy)
        }

        /// Hands every transfer libcurl finished its result.
        mutating func collectFinished(multi: UnsafeMutableRawPointer) {
            var remaining: Int32 = 0
            while let message = curl_multi_info_read(multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                let result = message.pointee.data.result
                curl_multi_remove_handle(multi, easy)
                active.removeValue(forKey: easy)?.complete(easy, result: result)
                curl_easy_reset(easy)
                idle.append(easy)
            }
        }
    }
}
