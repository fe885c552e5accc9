import ArgumentParser

@main
struct ManifestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifest",
        abstract: "Validate, build, publish and serve device-mode manifests for Analytics.js.",
        subcommands: [
            ValidateCommand.self, KeygenCommand.self, PublishCommand.self, HistoryCommand.self, RollbackCommand.self,
            ServeCommand.self, ClientCommand.self, SimulateCommand.self, DemoCommand.self,
        ]
    )
}
