import ArgumentParser

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the origin or an edge cache (stops gracefully on SIGTERM or SIGINT).",
        subcommands: [ServeOriginCommand.self, ServeEdgeCommand.self]
    )
}
