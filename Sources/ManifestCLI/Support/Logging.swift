import Logging

/// Logs to standard error through swift-log; bootstrapped once, here in the executable.
func bootstrapLogging(_ label: String, _ level: Logger.Level) -> Logger {
    LoggingSystem.bootstrap(StreamLogHandler.standardError)
    var logger = Logger(label: label)
    logger.logLevel = level
    return logger
}

/// A logger for the servers a command runs in process to measure them (the demo, the
/// simulator): warnings and errors only, so that its own output stays readable.
func quietLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .warning
    return logger
}
