import ArgumentParser
import Foundation
import ManifestBuilder

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
    @OptionGroup var validity: ValidityOption

    func validate() throws {
        try OptionChecks.require(to, in: 1...Int.max, "--to")
    }

    func run() async throws {
        let rollback = Rollback(
            key: try data.loadKey(), store: try await data.openStore(), policy: validity.policy)
        let change = try await rollback(writeKey: writeKey, to: to, now: Date())
        print("\(writeKey) v\(change.version) (rollback to v\(to)): \(ReportText.describe(change.diff))")
    }
}
