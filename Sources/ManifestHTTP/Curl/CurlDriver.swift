import CCurl
import Foundation
import HTTPTypes
import Synchronization

private let curlGlobalInit: Void = {
    _ = ccurl_global_init()
}()

/// The thread that owns the libcurl multi handle. Other threads only enqueue transfers and
/// wake it (`curl_multi_wakeup` is the one multi call that is safe from another thread).
final class CurlDriver: @unchecked Sendable {
    private struct Queue {
        var pending: [CurlTransfer] = []
        var cancelled: [ObjectIdentifier] = []
        var stopping = false
    }

    private let configuration: CurlHTTPClient.Configuration
    private let multi: UnsafeMutableRawPointer
    private let queue = Mutex(Queue())
    private let stopped = DispatchSemaphore(value: 0)
    private let started = Mutex(false)

    init(configuration: CurlHTTPClient.Configuration) {
        curlGlobalInit
        self.configuration = configuration
        self.multi = curl_multi_init()
    }

    func submit(_ transfer: CurlTransfer) {
        let accepted = queue.withLock { queue in
            guard !queue.stopping else { return false }
            queue.pending.append(transfer)
            return true
        }
        guard accepted else { return transfer.finish(.failure(CurlError.shutdown)) }
        startIfNeeded()
        curl_multi_wakeup(multi)
    }

    /// Stops a transfer that is queued or running; it fails with `CurlError.cancelled`.
    func cancel(_ transfer: CurlTransfer) {
        queue.withLock { $0.cancelled.append(ObjectIdentifier(transfer)) }
        curl_multi_wakeup(multi)
    }

    func shutdown() {
        let wasRunning = queue.withLock { queue in
            defer { queue.stopping = true }
            return !queue.stopping
        }
        guard wasRunning else { return }
        if started.withLock({ $0 }) {
            curl_multi_wakeup(multi)
            stopped.wait()
        } else {
            curl_multi_cleanup(multi)
        }
    }

    private func startIfNeeded() {
        let first = started.withLock { started in
            defer { started = true }
            return !started
        }
        guard first else { return }
        let thread = Thread { [self] in run() }
        thread.name = "curl-driver"
        thread.start()
    }

    private func run() {
        var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
        var idle: [UnsafeMutableRawPointer] = []
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
                for (easy, transfer) in active {
                    curl_multi_remove_handle(multi, easy)
                    transfer.complete(easy, result: nil)
                    idle.append(easy)
                }
                break
            }
            for transfer in incoming where cancelled.contains(ObjectIdentifier(transfer)) {
                transfer.finish(.failure(CurlError.cancelled))
            }
            for (easy, transfer) in active where cancelled.contains(ObjectIdentifier(transfer)) {
                curl_multi_remove_handle(multi, easy)
                active[easy] = nil
                transfer.complete(easy, result: nil, error: CurlError.cancelled)
                curl_easy_reset(easy)
                idle.append(easy)
            }
            for transfer in incoming where !cancelled.contains(ObjectIdentifier(transfer)) {
                let easy = idle.popLast() ?? curl_easy_init()!
                transfer.configure(easy, defaults: configuration)
                curl_multi_add_handle(multi, easy)
                active[easy] = transfer
            }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var remaining: Int32 = 0
            while let message = curl_multi_info_read(multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                let result = message.pointee.data.result
                curl_multi_remove_handle(multi, easy)
                active.removeValue(forKey: easy)?.complete(easy, result: result)
                curl_easy_reset(easy)
                idle.append(easy)
            }
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        for easy in idle { curl_easy_cleanup(easy) }
        curl_multi_cleanup(multi)
        stopped.signal()
    }
}
