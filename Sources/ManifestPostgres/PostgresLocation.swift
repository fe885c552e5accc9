import Foundation
import PostgresNIO

/// Where the database is, parsed from a connection URL:
/// `postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require]` (libpq's
/// default, `prefer`, when absent), or a Unix
/// socket directory with `?host=/run/postgresql` (libpq's spelling, so the same URL works with
/// psql). `postgresql://` is accepted too.
public struct PostgresLocation: Sendable, CustomStringConvertible {
    /// The client configuration the URL describes.
    public let configuration: PostgresClient.Configuration
    /// The URL without its password, for logs and error messages.
    public let description: String

    /// Parses `url`; throws with what is wrong and the form expected.
    public init(url text: String) throws(PostgresLocationError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme,
            ["postgres", "postgresql"].contains(scheme)
        else { throw PostgresLocationError(text, "is not a postgres:// URL") }
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        let username = components.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
        let password = components.password.flatMap { $0.removingPercentEncoding }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let database = path.isEmpty ? nil : path.removingPercentEncoding
        var configuration: PostgresClient.Configuration
        if let socketDirectory = query["host"], socketDirectory.hasPrefix("/") {
            let port = components.port ?? 5432
            configuration = .init(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: username, password: password,
                database: database)
        } else {
            guard let host = components.host, !host.isEmpty else { throw PostgresLocationError(text, "names no host") }
            configuration = .init(
                host: host, port: components.port ?? 5432, username: username, password: password,
                database: database, tls: try Self.tls(query["sslmode"], text))
        }
        configuration.options.connectTimeout = .seconds(10)
        self.configuration = configuration
        self.description = Self.masked(components) ?? scheme + "://"
    }

    /// The URL with its password replaced by `***`, for messages.
    static func masked(_ components: URLComponents) -> String? {
        var components = components
        if components.password != nil { components.password = "***" }
        return components.string
    }

    private static func tls(_ mode: String?, _ url: String) throws(PostgresLocationError)
        -> PostgresClient.Configuration.TLS
    {
        switch mode {
        case "disable", "allow": .disable
        case nil, "prefer": .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": .require(.makeClientConfiguration())
        case let other?: throw PostgresLocationError(url, "has an unknown sslmode '\(other)'")
        }
    }
}

/// A connection URL that cannot be used, and why.
public struct PostgresLocationError: Error, CustomStringConvertible {
    public let description: String

    init(_ url: String, _ problem: String) {
        let shown =
            URLComponents(string: url).map { components -> String in
                var components = components
                if components.password != nil { components.password = "***" }
                return components.string ?? ""
            } ?? ""
        description =
            "the store URL \(shown.isEmpty ? "given" : shown) \(problem): expected "
            + "postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require]"
    }
}
