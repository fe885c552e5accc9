import Foundation
import ManifestHTTP
import TestSupport

/// A real `varnishd` in the foreground (`-F`) on 127.0.0.1, running the repository's
/// `deploy/varnish/manifest.vcl` with its backend pointed at a test's origin.
///
/// As root varnishd drops to the `varnish` and `vcache` users the Debian package creates (its
/// default `-j unix` jail); its working directory (`-n`) is fresh for every start. The manager
/// process is ours; its child (the cache) is stopped with it, and killed by PID if it outlives
/// it, so that no varnishd is left behind. Used from one test task only, hence not Sendable.
final class VarnishServer {
    static let executable = ["/usr/sbin/varnishd", "/usr/bin/varnishd", "/usr/local/sbin/varnishd"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    static var isInstalled: Bool { executable != nil }

    private(set) var port: Int
    private let directory: TemporaryDirectory
    private let vcl: URL
    private var manager: Process?
    private var starts = 0

    var url: String { "http://127.0.0.1:\(port)" }
    private var log: URL { directory.file("varnishd-\(starts).log") }

    /// Writes the VCL for an origin on `originPort` into `directory`; `start()` runs it.
    init(originPort: Int, directory: TemporaryDirectory) throws {
        let source = try String(
            contentsOf: Fixtures.root.appendingPathComponent("deploy/varnish/manifest.vcl"), encoding: .utf8)
        let backend = #".port = "8081";"#
        guard source.contains(backend) else { throw VarnishFailure("manifest.vcl no longer has \(backend)") }
        self.vcl = directory.file("manifest.vcl")
        try source.replacingOccurrences(of: backend, with: #".port = "\#(originPort)";"#)
            .write(to: vcl, atomically: true, encoding: .utf8)
        self.directory = directory
        self.port = try SilentListener(listening: false).port
    }

    /// Starts varnishd on `port` and returns once it answers there. The port was free when it
    /// was chosen, but another test's connection may have taken it since (both come from the
    /// ephemeral range): a first start then moves to another port, twice at most. A restart
    /// keeps its port, as the tests expect.
    func start() async throws {
        for attempt in 1...3 {
            do {
                return try await launch()
            } catch let failure as VarnishFailure
                where starts == attempt && attempt < 3 && failure.description.contains("Address already in use")
            {
                port = try SilentListener(listening: false).port
            }
        }
    }

    private func launch() async throws {
        guard let executable = Self.executable else { throw VarnishFailure("varnishd is not installed") }
        starts += 1
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "-F", "-n", directory.file("varnish-\(starts)").path, "-a", "127.0.0.1:\(port)", "-f", vcl.path,
            "-s", "malloc,16m",
            // A few worker threads, not Varnish's 2 x 100: the tests share two cores with the suite.
            "-p", "thread_pools=1", "-p", "thread_pool_min=5", "-p", "thread_pool_max=50",
        ]
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try Self.withStopSignalsUnblocked { try process.run() }
        manager = process
        try await waitUntil("varnishd answers on \(url)") {
            guard process.isRunning else { throw VarnishFailure("varnishd exited: \(self.output())") }
            // Any answer will do: Varnish passes /healthz to the origin.
            return (try? await CurlHTTPClient.shared.execute(.init(url: self.url + "/healthz"))) != nil
        }
    }

    /// Stops varnishd gracefully (SIGTERM to the manager, which stops the cache process) and
    /// kills what is left after 15 s; throws if a process outlives that too.
    func stop() async throws {
        guard let process = manager else { return }
        manager = nil
        let children = Self.children(of: process.processIdentifier)
        sendSignal(SIGCONT, process, children)
        process.terminate()
        try? await waitUntil("varnishd stops", limit: .seconds(15)) { !process.isRunning }
        try await killAll(process, children)
    }

    /// Kills the manager and its cache process at once (SIGKILL), as a crash would.
    func crash() async throws {
        guard let process = manager else { return }
        manager = nil
        try await killAll(process, Self.children(of: process.processIdentifier))
    }

    /// Freezes varnishd (SIGSTOP): it keeps its cache and its port, and answers nothing.
    func pause() {
        guard let process = manager else { return }
        sendSignal(SIGSTOP, process, Self.children(of: process.processIdentifier))
    }

    /// Lets a paused varnishd go on.
    func resume() {
        guard let process = manager else { return }
        sendSignal(SIGCONT, process, Self.children(of: process.processIdentifier))
    }

    /// What varnishd wrote, for failure messages.
    func output() -> String {
        (try? String(contentsOf: log, encoding: .utf8)) ?? ""
    }

    /// Runs `body` (a spawn) with SIGTERM and SIGINT unblocked in this thread: a child inherits
    /// the spawning thread's mask, and the test runner's threads block them, so varnishd would
    /// never see a stop. Only those two: the runner blocks the others on purpose.
    private static func withStopSignalsUnblocked<Result>(_ body: () throws -> Result) rethrows -> Result {
        var stops = sigset_t()
        var previous = sigset_t()
        sigemptyset(&stops)
        sigaddset(&stops, SIGTERM)
        sigaddset(&stops, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &stops, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return try body()
    }

    /// Signals the manager while it is running (not yet reaped, so its PID is still ours) and
    /// each child that is still the process it was (same PID and start time).
    private func sendSignal(_ number: Int32, _ manager: Process, _ children: [ProcessIdentity]) {
        if manager.isRunning { kill(manager.processIdentifier, number) }
        for child in children where child.isAlive { kill(child.pid, number) }
    }

    private func killAll(_ manager: Process, _ children: [ProcessIdentity]) async throws {
        sendSignal(SIGKILL, manager, children)
        try await waitUntil("varnishd is gone", limit: .seconds(15)) {
            !manager.isRunning && children.allSatisfy { !$0.isAlive }
        }
    }

    /// The processes whose parent is `pid` (varnishd's manager has one: the cache process).
    private static func children(of pid: pid_t) -> [ProcessIdentity] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard let child = pid_t(entry), let identity = ProcessIdentity(child), identity.parent == pid else {
                return nil
            }
            return identity
        }
    }
}

/// A process as /proc/PID/stat shows it: the start time tells a PID that was reused apart.
struct ProcessIdentity {
    let pid: pid_t
    let parent: pid_t
    let startTime: Substring

    /// Nil when there is no such process.
    init?(_ pid: pid_t) {
        guard let fields = Self.fields(pid), fields.count > 19, let parent = pid_t(fields[1]) else { return nil }
        self.pid = pid
        self.parent = parent
        self.startTime = fields[19]
    }

    /// Still running (or stopped), the same process, and not a zombie waiting to be reaped.
    var isAlive: Bool {
        guard let fields = Self.fields(pid), fields.count > 19 else { return false }
        return fields[19] == startTime && fields[0] != "Z" && fields[0] != "X"
    }

    /// The fields after `pid (comm)`: state, ppid, ... (comm may hold spaces); starttime is the 20th.
    private static func fields(_ pid: pid_t) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return nil }
        return stat[stat.index(after: end)...].split(separator: " ")
    }
}

/// varnishd did not do what a test needs.
struct VarnishFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Runs `body` with a started varnishd in front of the origin on `originPort`, and stops it
/// however `body` ends.
func withVarnish<Result>(
    originPort: Int, in directory: TemporaryDirectory, _ body: (VarnishServer) async throws -> Result
) async throws -> Result {
    let varnish = try VarnishServer(originPort: originPort, directory: directory)
    do {
        try await varnish.start()
        let result = try await body(varnish)
        try await varnish.stop()
        return result
    } catch {
        try? await varnish.stop()
        throw error
    }
}

/// Polls `condition` every 20 ms until it holds; throws a `VarnishFailure` naming `what` after `limit`.
func waitUntil(
    _ what: String, limit: Duration = .seconds(30), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + limit
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw VarnishFailure("gave up waiting after \(limit): \(what)") }
        try await Task.sleep(for: .milliseconds(20))
    }
}
