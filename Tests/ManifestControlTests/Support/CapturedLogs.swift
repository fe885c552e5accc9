import Logging
import Synchronization

/// Every log line the control plane wrote, kept in memory: tests stay silent and can check
/// what was logged (no secret ever is).
final class CapturedLogs: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }

    func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }

    /// A logger at `info` whose lines go here and nowhere else.
    func logger() -> Logger {
        var logger = Logger(label: "manifest-control-test") { _ in CapturingLogHandler(logs: self) }
        logger.logLevel = .info
        return logger
    }

    /// For the servers a test runs beside the control plane (origin, edges): only critical lines.
    func quietLogger() -> Logger {
        var logger = logger()
        logger.logLevel = .critical
        return logger
    }
}

struct CapturingLogHandler: LogHandler {
    let logs: CapturedLogs
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        logs.append(
            "\(event.level) \(event.message) \(merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))"
        )
    }
}
