import Logging
import ManifestPostgres
import TestSupport
import Testing

/// `--store` URLs: what is accepted, what is refused and how, and a server that is not there.
@Suite struct PostgresLocationTests {
    @Test("TCP and Unix-socket URLs; the password never shows")
    func accepted() throws {
        let tcp = try PostgresLocation(url: "postgres://app:s3cret@db.internal:6432/manifest?sslmode=disable")
        #expect(tcp.configuration.host == "db.internal" && tcp.configuration.port == 6432)
        #expect(tcp.configuration.username == "app" && tcp.configuration.password == "s3cret")
        #expect(tcp.configuration.database == "manifest")
        #expect(!tcp.description.contains("s3cret"))
        let socket = try PostgresLocation(url: "postgresql:///manifest?host=/run/postgresql")
        #expect(socket.configuration.unixSocketPath == "/run/postgresql/.s.PGSQL.5432")
        #expect(socket.configuration.username == "postgres")
    }

    @Test(
        "refused with the URL (password masked) and the form expected",
        arguments: [
            ("mysql://u:pw@h/db", "is not a postgres:// URL"),
            ("postgres:///db", "names no host"),
            ("postgres://u:pw@h/db?sslmode=sometimes", "unknown sslmode 'sometimes'"),
        ])
    func refused(url: String, problem: String) {
        #expect {
            _ = try PostgresLocation(url: url)
        } throws: { error in
            let text = "\(error)"
            return text.contains(problem) && !text.contains(":pw@") && text.contains("expected postgres://")
        }
    }

    @Test("a server that does not answer is an error within the open timeout, not a hang")
    func unreachable() async throws {
        let closed = try SilentListener(listening: false)
        let location = try PostgresLocation(url: "postgres://u@127.0.0.1:\(closed.port)/db?sslmode=disable")
        _ = try await withTimeLimit(.seconds(20)) {
            await #expect(throws: PostgresStoreError.self) {
                _ = try await PostgresDatabase.open(
                    location, timeout: .milliseconds(300),
                    logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
            }
        }
    }
}
