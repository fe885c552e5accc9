import Foundation
import ManifestBuilder

extension AuditRecord {
    var json: JSONValue {
        .object([
            "sequence": .int(Int(sequence)), "workspace": .string(workspace),
            "at": .string(at.formatted(.iso8601)), "actor": .string(actor), "action": .string(action),
            "resource": .string(resource), "revision": .int(Int(revision)),
            "before": before ?? .null, "after": after ?? .null,
            "changes": .array(changes.map(JSONValue.string)),
        ])
    }
}
