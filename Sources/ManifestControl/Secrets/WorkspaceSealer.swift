import Crypto
import Foundation
import ManifestBuilder

/// Seals the secret settings of a workspace for storage, and opens them again.
///
/// A sealed value is `{"sealed": "<base64 ChaChaPoly box>"}` in place of the clear value, so the
/// stored document keeps the `Workspace` format; the box holds the value's JSON and is bound
/// (as authenticated data) to the workspace, instance and setting, so a box moved to another
/// place fails to open. Which settings are secret comes from the catalog.
public struct WorkspaceSealer: Sendable {
    public static let sealedKey = "sealed"

    public let catalog: Catalog
    public let key: SecretsKey

    public init(catalog: Catalog, key: SecretsKey) {
        self.catalog = catalog
        self.key = key
    }

    public func seal(_ workspace: Workspace) throws -> Workspace {
        try transform(workspace) { value, context in
            guard value != .null else { return value }
            let clear = try JSONEncoder().encode(value)
            let box = try ChaChaPoly.seal(clear, using: key.key, authenticating: Data(context.utf8))
            return .object([Self.sealedKey: .string(box.combined.base64EncodedString())])
        }
    }

    public func open(_ workspace: Workspace) throws -> Workspace {
        try transform(workspace) { value, context in
            guard case .object(let members) = value, members.count == 1,
                case .string(let text)? = members[Self.sealedKey]
            else { return value }
            guard let combined = Data(base64Encoded: text) else { throw SealError.malformed(context) }
            let box = try ChaChaPoly.SealedBox(combined: combined)
            let clear = try ChaChaPoly.open(box, using: key.key, authenticating: Data(context.utf8))
            return try JSONDecoder().decode(JSONValue.self, from: clear)
        }
    }

    private func transform(
        _ workspace: Workspace, _ body: (JSONValue, String) throws -> JSONValue
    ) throws -> Workspace {
        var result = workspace
        for sourceIndex in result.sources.indices {
            for instanceIndex in result.sources[sourceIndex].instances.indices {
                let instance = result.sources[sourceIndex].instances[instanceIndex]
                guard let destination = catalog.destination(named: instance.destination) else { continue }
                for field in destination.settings where field.secret {
                    guard let value = instance.settings[field.name] else { continue }
                    let context = "\(workspace.id)/\(instance.id)/\(field.name)"
                    result.sources[sourceIndex].instances[instanceIndex].settings[field.name] = try body(value, context)
                }
            }
        }
        return result
    }
}

public enum SealError: Error, Hashable {
    case malformed(String)
}
