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

struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Republish an earlier version's content as a new, higher version."
    )

    @Argument(help: "The source's write key.")
    var writeKey: String

    @Option(help: "The version whose content to republish.")
    var to: Int

    @OptionGroup var data: DataDirectoryOptions

    @Option(help: "How many days the new version stays valid.")
    var validityDays: Double = 7

    func run() async throws {
        let rollback = Rollback(
            key: try data.loadKey(), store: try data.openStore(), policy: PublishPolicy(validity: validityDays * 86_400))
        let change = try await rollback(writeKey: writeKey, to: to, now: Date())
        print("\(writeKey) v\(change.version) (rollback to v\(to)): \(ReportText.describe(change.diff))")
    }
}
