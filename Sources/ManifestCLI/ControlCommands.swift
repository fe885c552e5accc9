import ArgumentParser
import Foundation
import Logging
import ManifestBuilder
import ManifestControl

/// `manifest token create|list|revoke`: workspace tokens for the Config API.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Create, list and revoke Config API tokens.",
        subcommands: [TokenCreateCommand.self, TokenListCommand.self, TokenRevokeCommand.self])
}

struct TokenCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a token; it is printed once, and only its hash is stored.")

    @Option(help: "The workspace the token is tied to.") var workspace: String
    @Option(help: "read or write.") var scope: String
    @Option(help: "A name for the audit log.") var name: String?
    @OptionGroup var catalog: CatalogOption
    @OptionGroup var data: DataDirectoryOptions

    func run() async throws {
        guard let scope = TokenScope(rawValue: scope) else { throw ValidationError("--scope is read or write") }
        let (store, _) = try ControlDataDirectory(url: data.directory).openStore(catalog: try catalog.load())
        let (record, token) = try await TokenService(store: store).create(workspace: workspace, scope: scope, name: name, now: Date())
        FileHandle.standardError.write(Data("created token \(record.id) '\(record.name)' (\(scope.rawValue)) for \(workspace); it is shown once:\n".utf8))
        print(token)
    }
}

struct TokenListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List tokens (never their secrets).")

    @Option(help: "Only this workspace's tokens.") var workspace: String?
    @OptionGroup var catalog: CatalogOption
    @OptionGroup var data: DataDirectoryOptions

    func run() async throws {
        let (store, _) = try ControlDataDirectory(url: data.directory).openStore(catalog: try catalog.load())
        for token in try await TokenService(store: store).list(workspace: workspace) {
            let state = token.revokedAt.map { "revoked \($0.formatted(.iso8601))" } ?? "active"
            print("\(token.id)  \(token.workspace)  \(token.scope.rawValue)  \(token.name)  \(state)")
        }
    }
}

struct TokenRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token at once.")

    @Argument(help: "The token id (the part after mdt_).") var id: String
    @OptionGroup var catalog: CatalogOption
    @OptionGroup var data: DataDirectoryOptions

    func run() async throws {
        let (store, _) = try ControlDataDirectory(url: data.directory).openStore(catalog: try catalog.load())
        guard try await TokenService(store: store).revoke(id: id, now: Date()) else {
            throw fail("no active token \(id)")
        }
        print("revoked \(id)")
    }
}

/// `manifest import FILE`: loads a workspace file into the control plane, all or nothing.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Load a workspace file into the control plane (checked first; all or nothing).")

    @Argument(help: "The workspace file (JSON).") var workspace: String
    @OptionGroup var catalog: CatalogOption
    @OptionGroup var data: DataDirectoryOptions

    func run() async throws {
        let loaded = try catalog.load()
        let (store, _) = try ControlDataDirectory(url: data.directory).openStore(catalog: loaded)
        let url = URL(fileURLWithPath: workspace)
        do {
            let stored = try await WorkspaceTransfer(store: store, catalog: loaded)
                .importWorkspace(try Data(contentsOf: url), file: url.relativePath, actor: "cli:import")
            print("imported \(stored.workspace.id) as revision \(stored.revision); `manifest serve control` publishes it on start")
        } catch TransferError.invalid(let report) {
            print(ReportText.render(report, for: workspace))
            print("nothing was imported")
            throw ExitCode(1)
        } catch let error as InputError {
            throw exitUnreadable(error)
        }
    }
}

/// `manifest export ID`: the stored workspace in the file format (secrets included: mode 0600).
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write a workspace from the control plane in the workspace file format.")

    @Argument(help: "The workspace id.") var workspace: String
    @Option(name: .shortAndLong, help: "The file to write (mode 0600); standard output when left out.") var output: String?
    @OptionGroup var catalog: CatalogOption
    @OptionGroup var data: DataDirectoryOptions

    func run() async throws {
        let loaded = try catalog.load()
        let (store, _) = try ControlDataDirectory(url: data.directory).openStore(catalog: loaded)
        let bytes = try await WorkspaceTransfer(store: store, catalog: loaded).exportWorkspace(id: workspace)
        guard let output else {
            FileHandle.standardOutput.write(bytes + Data("\n".utf8))
            return
        }
        guard FileManager.default.createFile(atPath: output, contents: bytes, attributes: [.posixPermissions: 0o600]) else {
            throw fail("cannot write \(output)")
        }
    }
}

/// `manifest serve control`: the Config API on its own listener, publishing every change.
/// At the merge it belongs under `ServeCommand`'s subcommands (`manifest serve control`).
struct ServeControlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "control", abstract: "Run the Config API control plane (never exposed by the origin or the edge).")

    @OptionGroup var catalog: CatalogOption
    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var listen: ListenOptions

    @Option(help: "The directory of SDK stubs, one {destination id}.js per device-mode destination.")
    var sdkDir: String = "fixtures/sdk"

    @Option(help: "The CDN base URL that manifests point bundle URLs at.")
    var cdnUrl: String = "http://127.0.0.1:8080"

    func run() async throws {
        let logger = bootstrapLogging("manifest.control", listen.logLevel)
        let loaded = try catalog.load()
        let directory = ControlDataDirectory(url: data.directory)
        let (store, secrets) = try directory.openStore(catalog: loaded)
        let bundles = try BundleSet.load(catalog: loaded, from: URL(fileURLWithPath: sdkDir, isDirectory: true))
        let publisher = try directory.livePublisher(
            store: store, compiler: ManifestCompiler(catalog: loaded, bundles: bundles, cdnBase: cdnUrl),
            key: try data.loadKey(), logger: logger)
        let failures = try await publisher.republishAll()
        if failures > 0 { logger.warning("some sources could not be published on start", metadata: ["failures": "\(failures)"]) }
        let plane = ControlPlane(store: store, catalog: loaded, secrets: secrets, publisher: publisher, logger: logger)
        try await plane.makeApplication(host: listen.host, port: listen.port).runService()
    }
}

/// `manifest republish`: publishes every source the control plane holds, as `serve control`
/// does on start; what converges a change whose publish failed, without a restart.
struct RepublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "republish", abstract: "Publish every control-plane workspace (unchanged sources are skipped).")

    @OptionGroup var catalog: CatalogOption
    @OptionGroup var data: DataDirectoryOptions

    @Option(help: "The directory of SDK stubs, one {destination id}.js per device-mode destination.")
    var sdkDir: String = "fixtures/sdk"

    @Option(help: "The CDN base URL that manifests point bundle URLs at.")
    var cdnUrl: String = "http://127.0.0.1:8080"

    func run() async throws {
        let logger = bootstrapLogging("manifest.republish", .warning)
        let loaded = try catalog.load()
        let directory = ControlDataDirectory(url: data.directory)
        let (store, _) = try directory.openStore(catalog: loaded)
        let bundles = try BundleSet.load(catalog: loaded, from: URL(fileURLWithPath: sdkDir, isDirectory: true))
        let publisher = try directory.livePublisher(
            store: store, compiler: ManifestCompiler(catalog: loaded, bundles: bundles, cdnBase: cdnUrl),
            key: try data.loadKey(), logger: logger)
        let failures = try await publisher.republishAll()
        guard failures == 0 else { throw fail("\(failures) source(s) could not be published; see the log above") }
        print("every source is published")
    }
}
