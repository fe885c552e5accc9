import Foundation
import ManifestBuilder

/// How every workspace state store writes its columns, so that SQLite and PostgreSQL hold the
/// same bytes: times in milliseconds since 1970, workspaces as sorted-key JSON of the sealed
/// document, audit snapshots as canonical JSON.
public enum StoreEncoding {
    public static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    public static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000)
    }

    /// The stored document of a workspace: sealed with `sealer`, then JSON with sorted keys.
    public static func document(_ workspace: Workspace, sealer: WorkspaceSealer) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try encoder.encode(try sealer.seal(workspace))
    }

    /// The workspace a stored document holds, secrets opened.
    public static func workspace(_ document: Data, sealer: WorkspaceSealer) throws -> Workspace {
        try sealer.open(try JSONDecoder().decode(Workspace.self, from: document))
    }

    public static func json(_ value: JSONValue?) -> String? {
        value.map { String(decoding: CanonicalJSON.encode($0), as: UTF8.self) }
    }

    public static func jsonValue(_ text: String?) -> JSONValue? {
        text.flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
    }
}
