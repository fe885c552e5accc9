import ArgumentParser
import Logging
import ManifestHTTP

/// Where a server listens, and how much it logs.
struct ListenOptions: ParsableArguments {
    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0 picks a free one).")
    var port: Int

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Option(
        help:
            "Seconds a new connection has to send its first request's header block (like nginx's client_header_timeout)."
    )
    var headerTimeout = 60.0

    @Option(
        help:
            "Seconds a kept-alive connection may wait for its next request's header block (like nginx's keepalive_timeout)."
    )
    var idleTimeout = 75.0

    @Option(help: "Seconds allowed between two reads of a request body (like nginx's client_body_timeout).")
    var bodyTimeout = 60.0

    @Option(
        help:
            "Connections open at once; more are refused (the edge answers 503, the origin closes). Keep it below ulimit -n."
    )
    var maxConnections = 4096

    func validate() throws {
        try OptionChecks.require(port, in: OptionChecks.ports, "--port")
        try OptionChecks.requirePositive(headerTimeout, atMost: 3600, "--header-timeout")
        try OptionChecks.requirePositive(idleTimeout, atMost: 3600, "--idle-timeout")
        try OptionChecks.requirePositive(bodyTimeout, atMost: 3600, "--body-timeout")
        try OptionChecks.require(maxConnections, in: 1...1_000_000, "--max-connections")
    }

    /// The connection limits these options set.
    var policy: ConnectionPolicy {
        ConnectionPolicy(
            headerTimeout: .milliseconds(Int64(headerTimeout * 1000)),
            idleTimeout: .milliseconds(Int64(idleTimeout * 1000)),
            bodyTimeout: .milliseconds(Int64(bodyTimeout * 1000)), maxConnections: maxConnections)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
