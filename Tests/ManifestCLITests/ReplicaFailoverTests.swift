import Foundation
import ManifestHTTP
import Synchronization
import TestSupport
import Testing

/// What the load saw, shared by its tasks.
private final class LoadCounts: Sendable {
    let state = Mutex((answered: 0, failed: [String]()))
    let stop = Atomic(false)
    var answered: Int { state.withLock { $0.answered } }
}

/// Two origin replicas on one PostgreSQL database behind one edge (`--origin` twice), all real
/// `manifest` processes: one replica is killed with SIGKILL under load, and neither the clients
/// nor a publish notice.
@Suite("Replicated origins behind an edge", .postgresCluster)
struct ReplicaFailoverTests {
    @Test("kill -9 one replica under load: no client error, and a publish still reaches the edge")
    func killOneReplica() async throws {
        guard let cluster = PostgresCluster.current else {
            try Test.cancel(Comment(rawValue: PostgresCluster.unavailableMessage))
        }
        let store = try await cluster.createDatabase()
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let data = temporary.file("data").path
        #expect(try await ManifestProcess.run(["keygen", "--data-dir", data]) == 0)
        let stores = ["--data-dir", data, "--store", store]
        #expect(try await ManifestProcess.run(["publish", Fixtures.acmeFile.path] + stores) == 0)

        // Every request goes to an origin (edge TTL 0) and a failed origin shows (no stale-if-error).
        let origin = ["serve", "origin", "--edge-ttl", "0", "--stale-while-revalidate", "0", "--stale-if-error", "0"]
        let a = try ServerProcess(origin + stores, port: try SilentListener(listening: false).port)
        defer { a.kill() }
        let b = try ServerProcess(origin + stores, port: try SilentListener(listening: false).port)
        defer { b.kill() }
        let client = CurlHTTPClient(configuration: .init(timeout: .seconds(30)))
        try await a.waitUntilServing(client)
        try await b.waitUntilServing(client)
        let edge = try ServerProcess(
            ["serve", "edge", "--origin", "http://127.0.0.1:\(a.port)", "--origin", "http://127.0.0.1:\(b.port)"],
            port: try SilentListener(listening: false).port)
        defer { edge.kill() }
        try await edge.waitUntilServing(client)

        let settings = "http://127.0.0.1:\(edge.port)/v1/projects/wk_acme_web_store_3f9a/settings"
        let before = try await client.execute(.init(url: settings))
        #expect(before.status == .ok)
        let counts = LoadCounts()
        defer { counts.stop.store(true, ordering: .relaxed) }
        let load = (0..<4).map { _ in
            Task {
                while !counts.stop.load(ordering: .relaxed) {
                    do {
                        let response = try await client.execute(.init(url: settings))
                        counts.state.withLock {
                            if response.status == .ok {
                                $0.answered += 1
                            } else {
                                $0.failed.append("\(response.status)")
                            }
                        }
                    } catch {
                        counts.state.withLock { $0.failed.append("\(error)") }
                    }
                }
            }
        }
        func waitForAnswers(_ more: Int) async throws {
            let target = counts.answered + more
            try await withTimeLimit { while counts.answered < target { try await Task.sleep(for: .milliseconds(5)) } }
        }
        try await waitForAnswers(100)
        a.kill()
        try await waitForAnswers(300)

        var changed = try Fixtures.acme()
        changed.sources[0].instances[0].settings["trackAllPages"] = false
        let file = temporary.file("changed.json")
        try JSONEncoder().encode(changed).write(to: file)
        #expect(try await ManifestProcess.run(["publish", file.path] + stores) == 0)
        try await withTimeLimit {
            while try await client.execute(.init(url: settings)).body == before.body {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        counts.stop.store(true, ordering: .relaxed)
        for task in load { await task.value }
        let (answered, failed) = counts.state.withLock { ($0.answered, $0.failed) }
        #expect(failed.isEmpty, "\(failed.count) of \(answered + failed.count) requests failed: \(failed.prefix(3))")
        #expect(answered >= 400)
    }
}
