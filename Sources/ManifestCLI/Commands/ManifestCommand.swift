import ArgumentParser
import Foundation

@main
struct ManifestCommand: AsyncParsableCommand {
    static let version = "0.4.0"

    static let configuration = CommandConfiguration(
        commandName: "manifest",
        abstract: "Validate, build, publish and serve device-mode manifests for Analytics.js.",
        version: version,
        subcommands: [
            ValidateCommand.self, KeygenCommand.self, PublishCommand.self, HistoryCommand.self, RollbackCommand.self,
            ServeCommand.self, ClientCommand.self, SimulateCommand.self, DemoCommand.self, TokenCommand.self,
            ImportCommand.self, ExportCommand.self, RepublishCommand.self, RelayCommand.self,
            DevCertCommand.self,
        ]
    )

    /// Runs the command line, mapping `UnusableInput` to exit status 2; everything else exits
    /// as argument-parser decides (64 for usage errors, the `ExitCode` a command threw).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error as UnusableInput {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            Foundation.exit(2)
        } catch {
            exit(withError: error)
        }
    }
}
