import ArgumentParser
import Foundation
import ManifestBuilder

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List the published versions of a source's manifest."
    )

    @Argument(help: "The source's write key.")
    var writeKey: String

    @OptionGroup var data: DataDirectoryOptions

    func run() async throws {
        let history = try await data.openStore().history(writeKey: writeKey)
        print(ReportText.render(history: history, writeKey: writeKey))
        if history.isEmpty { throw ExitCode(1) }
    }
}
