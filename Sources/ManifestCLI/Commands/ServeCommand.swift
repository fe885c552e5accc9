import ArgumentParser

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the origin, an edge cache or the control plane (stops gracefully on SIGTERM or SIGINT).",
        subcommands: [ServeOriginCommand.self, ServeEdgeCommand.self, ServeControlCommand.self]
    )
}
