import InMemoryLogging
import Logging

extension Logger {
    /// A logger that keeps its lines in memory and drops them: servers and caches under test
    /// fail upstream requests on purpose, and a green run prints only test results.
    package static var test: Logger {
        Logger(label: "test", factory: { _ in InMemoryLogHandler() })
    }

    /// A logger whose lines a test reads back (`handler.entries`), for behaviour that is a log line.
    package static func captured(level: Logger.Level = .trace) -> (Logger, InMemoryLogHandler) {
        var handler = InMemoryLogHandler()
        handler.logLevel = level
        var logger = Logger(label: "test", factory: { [handler] _ in handler })
        logger.logLevel = level
        return (logger, handler)
    }
}
