import Foundation
import ManifestBuilder

/// What a change says about itself before the store stamps it: who did what to which resource,
/// with the resource before and after (secrets already masked by the caller).
public struct AuditEntry: Sendable, Hashable {
    /// The token's name (or `cli:import` and the like for local commands).
    public var actor: String
    /// `source.create`, `destination.update`, `workspace.import`, ...
    public var action: String
    /// The resource name, such as `workspaces/ws/sources/web/destinations/amp`.
    public var resource: String
    public var before: JSONValue?
    public var after: JSONValue?

    public init(actor: String, action: String, resource: String, before: JSONValue?, after: JSONValue?) {
        self.actor = actor
        self.action = action
        self.resource = resource
        self.before = before
        self.after = after
    }
}

/// One line of the append-only audit log, as read back over the API.
public struct AuditRecord: Sendable, Hashable, Codable {
    public var sequence: Int64
    public var workspace: String
    public var at: Date
    public var actor: String
    public var action: String
    public var resource: String
    /// The workspace revision this change produced.
    public var revision: Int64
    public var before: JSONValue?
    public var after: JSONValue?
    /// JSON pointers (into the resource) of every value that differs between before and after.
    public var changes: [String]

    public init(sequence: Int64, workspace: String, at: Date, entry: AuditEntry, revision: Int64) {
        self.sequence = sequence
        self.workspace = workspace
        self.at = at
        self.actor = entry.actor
        self.action = entry.action
        self.resource = entry.resource
        self.revision = revision
        self.before = entry.before
        self.after = entry.after
        self.changes = JSONDiff.changedPointers(from: entry.before, to: entry.after)
    }
}
