/// How long a server waits for a client, and how many clients it holds at once: the limits
/// every server here (origin and edge) applies to each connection.
///
/// The defaults follow nginx's: `client_header_timeout 60s`, `keepalive_timeout 75s`,
/// `client_body_timeout 60s`. The connection cap stays well below the usual file-descriptor
/// limit (`ulimit -n`), so that a flood of idle connections is refused before it starves the
/// process of descriptors for its own upstream connections and files.
public struct ConnectionPolicy: Sendable, Hashable {
    /// From accepting a connection to the end of the first request's header block.
    public var headerTimeout: Duration
    /// From the end of a response to the end of the next request's header block on a kept-alive
    /// connection.
    public var idleTimeout: Duration
    /// Between two reads of a request body (and from the header to the first).
    public var bodyTimeout: Duration
    /// Connections open at once; one more is refused (the edge answers 503 and closes, the
    /// origin closes at once).
    public var maxConnections: Int

    public init(
        headerTimeout: Duration = .seconds(60), idleTimeout: Duration = .seconds(75),
        bodyTimeout: Duration = .seconds(60), maxConnections: Int = 4096
    ) {
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.bodyTimeout = bodyTimeout
        self.maxConnections = maxConnections
    }
}
