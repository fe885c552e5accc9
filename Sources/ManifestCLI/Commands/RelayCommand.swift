import ArgumentParser

struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract:
            "Follow the invalidation stream and purge a cache in front of the origin (stops on SIGTERM or SIGINT).",
        subcommands: [RelayVarnishCommand.self]
    )
}
