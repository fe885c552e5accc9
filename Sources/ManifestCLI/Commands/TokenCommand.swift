import ArgumentParser
import Foundation
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
    @Option(help: "read or write.") var scope: TokenScope
    @Option(help: "A name for the audit log.") var name: String?
    @OptionGroup var catalog: CatalogOption
    @OptionGroup var data: DataDirectoryOptions

    func run() async throws {
        let (store, _) = try await data.openControlStore(catalog: try catalog.load())
        let (record, token) = try await TokenService(store: store).create(
            workspace: workspace, scope: scope, name: name, now: Date())
        FileHandle.standardError.write(
            Data("created token \(record.id) '\(record.name)' (\(scope.rawValue)) for \(workspace); shown once:\n".utf8)
        )
        print(token)
    }
}

struct TokenListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List tokens (never their secrets).")

    @Option(help: "Only this workspace's tokens.") var workspace: String?
    @OptionGroup var catalog: CatalogOption
    @OptionGroup var data: DataDirectoryOptions

    func run() async throws {
        let (store, _) = try await data.openControlStore(catalog: try catalog.load())
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
        let (store, _) = try await data.openControlStore(catalog: try catalog.load())
        guard try await TokenService(store: store).revoke(id: id, now: Date()) else {
            throw UnusableInput("no active token \(id)")
        }
        print("revoked \(id)")
    }
}

extension TokenScope: ExpressibleByArgument {}
