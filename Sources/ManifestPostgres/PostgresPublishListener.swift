import Logging
import ManifestBuilder
import PostgresNIO
import Synchronization

/// Holds one connection in `LISTEN manifest_publishes` and passes each publish's sequence on to
/// the waiters, whichever process or replica published it.
///
/// When the connection breaks it reconnects, and once listening again it sends the log's last
/// sequence, so that a publish made while it was not listening still wakes the waiters.
final class PostgresPublishListener: Sendable {
    private let database: PostgresDatabase
    private let channel: String
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(database: PostgresDatabase, channel: String) {
        self.database = database
        self.channel = channel
    }

    /// Starts listening (once); runs until the store goes away.
    func start(sendingTo signals: PublishSignals) {
        let (database, channel) = (self.database, self.channel)
        task.withLock { task in
            guard task == nil else { return }
            task = Task { await Self.listen(database, channel, signals) }
        }
    }

    deinit {
        task.withLock { $0?.cancel() }
    }

    private static func listen(_ database: PostgresDatabase, _ channel: String, _ signals: PublishSignals) async {
        var failing = false
        while !Task.isCancelled {
            do {
                try await database.client.withConnection { connection in
                    try await connection.listen(on: channel) { notifications in
                        // Listening now: announce what was published while not.
                        signals.send(try await PostgresOriginStore.lastSequence(database))
                        if failing { database.logger.info("publish notifications restored") }
                        failing = false
                        for try await notification in notifications {
                            if let sequence = Int64(notification.payload) { signals.send(sequence) }
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                if !failing {
                    database.logger.info(
                        "publish notifications lost; reconnecting", metadata: ["error": "\(String(reflecting: error))"])
                }
                failing = true
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
