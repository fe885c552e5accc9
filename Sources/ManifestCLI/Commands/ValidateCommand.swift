import ArgumentParser
import Foundation
import ManifestBuilder

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a workspace against the connection rules.",
        discussion: "Exit status: 0 valid, 1 invalid, 2 unreadable or malformed input."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @Argument(help: "The workspace file (JSON).")
    var path: String

    @OptionGroup var catalog: CatalogOption

    @Option(help: "Output for people (text) or machines (json).")
    var format: Format = .text

    func run() throws {
        MallocTuning.forLargeInputs()
        let report: ValidationReport
        do throws(UnusableInput) {
            // A batch of sources at a time: the memory does not grow with the file.
            let rules = ConnectionRules(catalog: try catalog.load())
            do {
                report = try rules.validate(file: URL(fileURLWithPath: path))
            } catch {
                throw UnusableInput(error)
            }
        } catch {
            if format == .json { try printJSON(["file": path, "error": error.description]) }
            throw error
        }
        switch format {
        case .text: print(ReportText.render(report, for: path))
        case .json: try printJSON(MachineReport(file: path, valid: report.isValid, report: report))
        }
        if !report.isValid { throw ExitCode(1) }
    }

    private struct MachineReport: Encodable {
        var file: String
        var valid: Bool
        var errors: [Violation]
        var warnings: [Violation]

        init(file: String, valid: Bool, report: ValidationReport) {
            self.file = file
            self.valid = valid
            self.errors = report.errors
            self.warnings = report.warnings
        }
    }

    private func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
