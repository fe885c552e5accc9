import Foundation
import Testing

/// A throwaway PostgreSQL server for tests: `initdb` in a temporary directory, `postgres` on a
/// free loopback port, trust authentication for the `postgres` role, stopped by PID.
///
/// PostgreSQL refuses to run as root, so when the tests run as root (CI containers) the cluster
/// runs as the `postgres` user that Debian's package creates, through `setpriv`.
package final class PostgresCluster: Sendable {
    /// The loopback port the server listens on.
    package let port: Int
    private let directory: TemporaryDirectory
    private let binaries: URL
    private let pid: pid_t

    /// The cluster of the suite that runs the current test (see `.postgresCluster`).
    @TaskLocal package static var current: PostgresCluster?

    /// Where `initdb`, `pg_ctl` and `psql` are: on `PATH`, or Debian's newest
    /// `/usr/lib/postgresql/N/bin`. Nil when PostgreSQL is not installed.
    package static let binaryDirectory: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates =
            path.split(separator: ":").map { URL(fileURLWithPath: String($0)) }
            + ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .sorted { $0.compare($1, options: .numeric) == .orderedDescending }
            .map { URL(fileURLWithPath: "/usr/lib/postgresql/\($0)/bin") }
        return candidates.first { directory in
            ["initdb", "pg_ctl", "psql"].allSatisfy {
                FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent($0).path)
            }
        }?.resolvingSymlinksInPath()
    }()

    /// Why PostgreSQL tests are skipped when `binaryDirectory` is nil.
    package static let unavailableMessage =
        "PostgreSQL is not installed (initdb, pg_ctl, psql): install Debian's postgresql (scripts/setup)"

    /// Creates and starts a cluster; waits until it accepts connections.
    package static func start() throws -> PostgresCluster {
        guard let binaries = binaryDirectory else { throw ClusterError(unavailableMessage) }
        let directory = try TemporaryDirectory("postgres")
        do {
            let runsAsRoot = geteuid() == 0
            if runsAsRoot { try chownToPostgres(directory.url) }
            let data = directory.file("data").path
            try run(
                binaries, "initdb",
                ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"])
            let port = try SilentListener(listening: false).port
            let options = [
                "-p \(port)", "-k \(directory.url.path)", "-c listen_addresses=127.0.0.1", "-c fsync=off",
                "-c max_connections=200", "-c full_page_writes=off",
            ]
            try run(
                binaries, "pg_ctl",
                [
                    "-D", data, "-w", "-t", "30", "-l", directory.file("server.log").path, "-o",
                    options.joined(separator: " "), "start",
                ])
            let pidLine = try String(contentsOfFile: "\(data)/postmaster.pid", encoding: .utf8)
                .split(separator: "\n").first
            guard let pid = pidLine.flatMap({ pid_t($0) }) else { throw ClusterError("no postmaster.pid in \(data)") }
            return PostgresCluster(port: port, directory: directory, binaries: binaries, pid: pid)
        } catch {
            directory.remove()
            throw error
        }
    }

    private init(port: Int, directory: TemporaryDirectory, binaries: URL, pid: pid_t) {
        self.port = port
        self.directory = directory
        self.binaries = binaries
        self.pid = pid
    }

    /// The connection URL of `database`, the form `--store` takes.
    package func url(database: String) -> String {
        "postgres://postgres@127.0.0.1:\(port)/\(database)"
    }

    /// Creates an empty database with a fresh name and returns its URL: one per test. psql runs
    /// on a thread of its own, so that waiting for it never holds one of the few threads Swift
    /// concurrency has (the stores' connection pools need them).
    package func createDatabase() async throws -> String {
        let name = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        _ = try await onOwnThread { try self.psql("CREATE DATABASE \(name)") }
        return url(database: String(name))
    }

    /// Runs SQL in `database` with psql; throws with psql's message when it fails.
    @discardableResult
    package func psql(_ sql: String, database: String = "postgres") throws -> String {
        try Self.run(
            binaries, "psql",
            [
                "-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-Atqc",
                sql,
            ], asPostgres: false)
    }

    /// Stops the server (fast shutdown: open sessions are ended) and removes its files.
    package func stop() {
        kill(pid, SIGINT)
        let deadline = ContinuousClock.now + .seconds(30)
        while kill(pid, 0) == 0, ContinuousClock.now < deadline { usleep(20_000) }
        if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        directory.remove()
    }

    /// Runs a PostgreSQL tool to its end (as the postgres user when root) and returns its output.
    /// `posix_spawn` and `waitpid` rather than `Process`: `pg_ctl start` leaves a server running
    /// that holds whatever it inherited, and the tool's exit is all this waits for.
    @discardableResult
    private static func run(_ binaries: URL, _ tool: String, _ arguments: [String], asPostgres: Bool = true)
        throws -> String
    {
        let executable = binaries.appendingPathComponent(tool).path
        let command =
            asPostgres && geteuid() == 0
            ? ["/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups", "--", executable]
                + arguments
            : [executable] + arguments
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("pg-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: outputFile) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputFile.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var pid: pid_t = 0
        let argv = command.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let spawned = posix_spawn(&pid, command[0], &actions, nil, argv, environ)
        guard spawned == 0 else { throw ClusterError("cannot start \(tool): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = ((try? String(contentsOf: outputFile, encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        // WIFEXITED and WEXITSTATUS, which Swift does not import: exited normally with status 0.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else { throw ClusterError("\(tool) failed: \(text)") }
        return text
    }

    private static func chownToPostgres(_ url: URL) throws {
        guard let user = getpwnam("postgres") else {
            throw ClusterError("running as root needs the postgres user (Debian's postgresql package creates it)")
        }
        guard chown(url.path, user.pointee.pw_uid, user.pointee.pw_gid) == 0 else {
            throw ClusterError("cannot hand \(url.path) to the postgres user")
        }
    }

    package struct ClusterError: Error, CustomStringConvertible {
        package let description: String
        init(_ description: String) { self.description = description }
    }
}

/// Gives a suite (`@Suite(.postgresCluster)`) the throwaway cluster in `PostgresCluster.current`.
/// Suites running at the same time share one cluster (each test makes its own database), started
/// by the first and stopped by the last. Without PostgreSQL installed the suite runs with no
/// cluster, and the tests that need one cancel themselves with `PostgresCluster.unavailableMessage`.
package struct PostgresClusterTrait: SuiteTrait, TestScoping {
    package var isRecursive: Bool { false }

    package func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        guard PostgresCluster.binaryDirectory != nil else { return try await function() }
        let cluster = try await SharedCluster.shared.acquire()
        do {
            try await PostgresCluster.$current.withValue(cluster) { try await function() }
        } catch {
            await SharedCluster.shared.release()
            throw error
        }
        await SharedCluster.shared.release()
    }
}

/// The cluster the suites of this process share, counted by its users.
private actor SharedCluster {
    static let shared = SharedCluster()
    private var starting: Task<PostgresCluster, any Error>?
    private var users = 0

    func acquire() async throws -> PostgresCluster {
        users += 1
        let task =
            starting
            ?? Task {
                // Starting waits for processes: on a thread of its own, not the pool's.
                try await onOwnThread { try PostgresCluster.start() }
            }
        starting = task
        do {
            return try await task.value
        } catch {
            users -= 1
            if users == 0 { starting = nil }
            throw error
        }
    }

    func release() async {
        users -= 1
        guard users == 0, let task = starting else { return }
        starting = nil
        if let cluster = try? await task.value { await onOwnThread { cluster.stop() } }
    }
}

extension Trait where Self == PostgresClusterTrait {
    /// A throwaway PostgreSQL cluster for the suite.
    package static var postgresCluster: Self { PostgresClusterTrait() }
}
