import ArgumentParser
import Foundation
import Logging
import ManifestHTTP
import ManifestRelay
import ServiceLifecycle

struct RelayVarnishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "varnish",
        abstract: "Purge Varnish (deploy/varnish/manifest.vcl) by surrogate key on every publish."
    )

    @Option(help: "The origin (or an edge relaying its stream) serving /v1/events, such as http://127.0.0.1:8081.")
    var events: String

    @Option(help: "Varnish's address, such as http://127.0.0.1:6081.")
    var varnish: String

    @Option(
        help: ArgumentHelp(
            "A file that keeps the last sequence purged, so that a restart resumes there.",
            discussion:
                "Without it, every start bans everything in Varnish once, since the relay cannot know what it missed."))
    var state: String?

    @Option(help: "This relay's name in the origin's list of subscribers.")
    var name = "varnish-relay"

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        let logger = bootstrapLogging("manifest.relay", logLevel)
        let stateFile = state.map(SequenceFile.init(path:))
        let startAfter: Int64?
        do {
            startAfter = try stateFile?.read()
        } catch {
            throw UnusableInput("\(error)")
        }
        // A long poll waits up to 20 s for an event, so the stream gets more than that.
        let base = events.hasSuffix("/v1/events") ? String(events.dropLast("/v1/events".count)) : events
        let relay = PurgeRelay(
            events: CurlUpstream(baseURL: base, timeout: .seconds(30)),
            purger: VarnishPurger(varnish: CurlUpstream(baseURL: varnish, timeout: .seconds(5))),
            name: name, startAfter: startAfter, stateFile: stateFile, logger: logger)
        try await ServiceGroup(services: [relay], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
    }
}
