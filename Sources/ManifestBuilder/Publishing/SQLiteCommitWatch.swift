import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// Signals the publishes other processes commit to a SQLite store (`manifest publish` run beside
/// `manifest serve origin`), which SQLite itself cannot tell: on Linux, inotify reports every
/// write in the database's directory, and after one the watch reads the log's last sequence and
/// sends it when it grew. A commit becomes visible to readers just after its last write (SQLite
/// then updates its shared-memory index, which makes no event), so a check that finds nothing new
/// is made once more 5 ms later. Without inotify (another system, or the kernel's limit on
/// watches reached) it reads the last sequence every 25 ms instead, as the origin's long polls did
/// before.
///
/// One thread per database file, started when something first waits on its publishes (an origin,
/// never a publishing command), blocked in `read` while nothing is written: nothing runs while
/// nothing is published.
enum SQLiteCommitWatch {
    static func start(path: String, signals: PublishSignals) {
        let thread = Thread { run(path: path, signals: signals) }
        thread.name = "sqlite-commit-watch"
        thread.start()
    }

    private static func run(path: String, signals: PublishSignals) {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        guard let queue = try? DatabaseQueue(path: path, configuration: configuration) else { return }
        var lastSent = (try? lastSequence(queue)) ?? 0
        /// Sends the last sequence when it grew; true when it did.
        func check() -> Bool {
            guard let last = try? lastSequence(queue), last > lastSent else { return false }
            lastSent = last
            signals.send(last)
            return true
        }
        #if os(Linux)
            let descriptor = inotify_init1(Int32(IN_CLOEXEC))
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            let events = UInt32(IN_MODIFY) | UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO) | UInt32(IN_CREATE)
            if descriptor >= 0, inotify_add_watch(descriptor, directory, events) >= 0 {
                var buffer = [UInt8](repeating: 0, count: 64 * 1024)
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                    if count < 0 && errno == EINTR { continue }
                    guard count > 0 else { break }
                    if watchRemoved(buffer[0..<count]) {
                        // The directory is gone (a test's temporary store): nothing left to watch.
                        close(descriptor)
                        return
                    }
                    if !check() {
                        usleep(5_000)
                        _ = check()
                    }
                    // While a long publish writes, at most one check a millisecond.
                    usleep(1_000)
                }
            }
            if descriptor >= 0 { close(descriptor) }
        #endif
        while FileManager.default.fileExists(atPath: path) {
            usleep(25_000)
            _ = check()
        }
    }

    #if os(Linux)
        /// Whether `events` (inotify's records: descriptor, mask, cookie, name length, name) say that
        /// the watch was removed, as it is when the directory is deleted.
        private static func watchRemoved(_ events: ArraySlice<UInt8>) -> Bool {
            var offset = events.startIndex
            while offset + 16 <= events.endIndex {
                func field(_ at: Int) -> UInt32 {
                    (0..<4).reduce(0) { $0 | UInt32(events[offset + at + $1]) << (8 * $1) }
                }
                if field(4) & UInt32(IN_IGNORED) != 0 { return true }
                offset += 16 + Int(field(12))
            }
            return false
        }
    #endif

    private static func lastSequence(_ queue: DatabaseQueue) throws -> Int64 {
        try queue.read { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(sequence), 0) FROM manifests")) ?? 0
        }
    }
}
