import Foundation
import ManifestHTTP
import Synchronization

/// A chromedriver process on a free loopback port, for tests that drive headless Chromium through
/// W3C WebDriver. `start()` returns once chromedriver says it is ready for sessions; `stop()` ends
/// it together with every browser it launched (a `deinit` kills them too, should a test forget).
package final class ChromeDriver: Sendable {
    package static let executable = "/usr/bin/chromedriver"
    package static let browser = "/usr/bin/chromium"

    /// Whether chromedriver and Chromium are both installed: browser suites are `.enabled(if:)` it.
    package static var isAvailable: Bool {
        [executable, browser].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Why browser tests are skipped when `isAvailable` is false.
    package static let unavailableMessage =
        "WebDriver tests need \(executable) and \(browser): install chromium-driver and chromium (scripts/setup)"

    /// The loopback port chromedriver listens on.
    package let port: Int
    /// Its HTTP endpoint, which sessions send their commands to.
    let wire: WebDriverWire
    private let process: Process
    private let directory: TemporaryDirectory
    private let stopped = Mutex(false)

    /// Starts chromedriver on a port it picks itself (`--port=0`, read back from its output, so no
    /// other process can take the port in between), and waits until `GET /status` says ready.
    /// One that exits before it announces its port (seen once under a loaded suite) is started
    /// again, once.
    package static func start(timeout: Duration = .seconds(15)) async throws -> ChromeDriver {
        do {
            return try await launch(timeout: timeout)
        } catch let error as WebDriverError where error.error == "not started" {
            return try await launch(timeout: timeout)
        }
    }

    private static func launch(timeout: Duration) async throws -> ChromeDriver {
        let directory = try TemporaryDirectory("chromedriver")
        let log = directory.file("chromedriver.log")
        // Its output and that of the browsers it starts go to a file, never to the test's output.
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--port=0"]
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            directory.remove()
            throw error
        }
        let deadline = ContinuousClock.now + timeout
        let port: Int
        do {
            port = try await pollPort(log: log, process: process, deadline: deadline)
        } catch {
            kill(-process.processIdentifier, SIGKILL)
            directory.remove()
            throw error
        }
        let driver = ChromeDriver(port: port, process: process, directory: directory)
        do {
            try await driver.waitUntilReady(deadline: deadline)
        } catch {
            await driver.stop()
            throw error
        }
        return driver
    }

    private init(port: Int, process: Process, directory: TemporaryDirectory) {
        self.port = port
        self.process = process
        self.directory = directory
        self.wire = WebDriverWire(
            base: "http://127.0.0.1:\(port)",
            client: CurlHTTPClient(configuration: .init(timeout: .seconds(30), connectTimeout: .seconds(5))))
    }

    /// The last resort when `stop()` was not called: kill at once, since a `deinit` cannot wait.
    deinit {
        if !stopped.withLock({ $0 }) { kill(-process.processIdentifier, SIGKILL) }
        directory.remove()
    }

    /// Whether the chromedriver process is still alive.
    package var isRunning: Bool { process.isRunning }

    /// Ends chromedriver and the browsers it started. It is asked first (`GET /shutdown`, then
    /// SIGTERM): a child started from a Swift concurrency thread inherits that thread's blocked
    /// signals, SIGTERM among them, so the request is what works under the test runner. If it has
    /// not exited within two seconds, SIGKILL. Foundation starts the process in its own group, so
    /// signalling the group (`-pid`) reaches Chromium too, even when a session was never deleted.
    /// Idempotent.
    package func stop() async {
        let first = stopped.withLock { wasStopped in
            defer { wasStopped = true }
            return !wasStopped
        }
        guard first else { return }
        let group = -process.processIdentifier
        _ = try? await wire.send(.get, "/shutdown", command: "shutdown")
        kill(group, SIGTERM)
        await waitForExit(within: .seconds(2))
        kill(group, SIGKILL)
        // Foundation notices the exit on a thread of its own: slow on a loaded machine.
        await waitForExit(within: .seconds(15))
        await wire.client.shutdown()
        directory.remove()
    }

    private func waitForExit(within limit: Duration) async {
        let deadline = ContinuousClock.now + limit
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Reads the port from chromedriver's "ChromeDriver was started successfully on port N."
    private static func pollPort(log: URL, process: Process, deadline: ContinuousClock.Instant) async throws -> Int {
        while true {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let match = text.firstMatch(of: /started successfully on port (\d+)/), let port = Int(match.1) {
                return port
            }
            guard process.isRunning, ContinuousClock.now < deadline else {
                throw WebDriverError(command: "start chromedriver", error: "not started", message: text)
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Polls `GET /status` until its `value.ready` is true.
    private func waitUntilReady(deadline: ContinuousClock.Instant) async throws {
        while true {
            let status = try? await wire.send(.get, "/status", command: "status")
            if status?["ready"] == true { return }
            guard process.isRunning, ContinuousClock.now < deadline else {
                throw WebDriverError(command: "status", error: "not ready", message: "chromedriver on port \(port)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
