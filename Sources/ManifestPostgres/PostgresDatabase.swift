import Logging
import PostgresNIO

/// One PostgreSQL database as the stores use it: a connection pool (`PostgresClient`) kept
/// running in a task of its own, and the schema migrated when opened.
///
/// The stores own their pool rather than asking the caller to run it as a `Service`, so that a
/// one-shot command (`manifest publish --store postgres://...`) opens a store the way it opens
/// a SQLite file. `close()` ends the pool; a process that exits need not call it.
public final class PostgresDatabase: Sendable {
    let client: PostgresClient
    let location: PostgresLocation
    let logger: Logger
    private let running: Task<Void, Never>

    /// Connects to `location` and migrates the schema (origin and control-plane tables); gives
    /// up after `timeout` (the pool would otherwise retry a refused connection for ever).
    public static func open(_ location: PostgresLocation, timeout: Duration = .seconds(10), logger: Logger)
        async throws -> PostgresDatabase
    {
        let database = PostgresDatabase(location, logger: logger)
        do {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try await PostgresSchema.migrate(database)
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return false
                }
                let migrated = try await group.next() ?? false
                group.cancelAll()
                if !migrated { throw PostgresStoreError.noAnswer(timeout) }
            }
        } catch {
            database.close()
            throw PostgresStoreError.unreachable(location.description, error)
        }
        return database
    }

    private init(_ location: PostgresLocation, logger: Logger) {
        // The pool's own messages are errors only: it warns, for one, when the first query comes
        // before its `run()` task has started, which here is a harmless race (the query waits).
        var background = logger
        background.logLevel = max(logger.logLevel, .error)
        let client = PostgresClient(configuration: location.configuration, backgroundLogger: background)
        self.client = client
        self.location = location
        self.logger = logger
        self.running = Task { await client.run() }
    }

    /// Runs `body` in a transaction on one connection: committed when it returns, rolled back
    /// when it throws, and then its error is what propagates (the stores' callers match on
    /// `OriginStoreError` and the like, not on the driver's wrapper).
    func transaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            if let closureError = error.closureError { throw closureError }
            throw error
        }
    }

    /// Closes every connection; queries made afterwards fail.
    public func close() {
        running.cancel()
    }

    deinit {
        running.cancel()
    }
}

/// What went wrong with the database itself, as opposed to the data.
public enum PostgresStoreError: Error, CustomStringConvertible {
    case unreachable(String, any Error)
    case noAnswer(Duration)

    public var description: String {
        switch self {
        case .unreachable(let location, let error):
            "cannot open the PostgreSQL store at \(location): \(String(reflecting: error))"
        case .noAnswer(let timeout):
            "no connection within \(timeout) (is the server running, and the host and port right?)"
        }
    }
}
