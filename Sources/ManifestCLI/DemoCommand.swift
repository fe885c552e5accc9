import ArgumentParser
import Foundation
import ManifestBuilder

/// The main job on the embedded defaults. For now: validate the fixture workspace and show
/// what it connects.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the local demo on the fixture workspace."
    )

    @Option(help: "The workspace file (JSON).")
    var workspace: String = "fixtures/workspaces/acme.json"

    @OptionGroup var catalog: CatalogOption

    func run() throws {
        let loaded: Workspace
        let report: ValidationReport
        do {
            let rules = ConnectionRules(catalog: try catalog.load())
            loaded = try InputDocument.load(Workspace.self, from: URL(fileURLWithPath: workspace))
            report = rules.validate(loaded)
        } catch {
            throw exitUnreadable(error)
        }
        print(ReportText.summary(of: loaded))
        print("")
        print(ReportText.render(report, for: workspace))
        if !report.isValid { throw ExitCode(1) }
    }
}
