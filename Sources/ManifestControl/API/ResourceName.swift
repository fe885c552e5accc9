/// Resource names: the namespace that says where a resource belongs, as in the Public API's
/// `name` field (`workspaces/{workspace}/sources/{source}/destinations/{instance}`).
public enum ResourceName {
    public static func workspace(_ workspace: String) -> String { "workspaces/\(workspace)" }

    public static func source(_ workspace: String, _ source: String) -> String {
        "workspaces/\(workspace)/sources/\(source)"
    }

    public static func destination(_ workspace: String, _ source: String, _ instance: String) -> String {
        "workspaces/\(workspace)/sources/\(source)/destinations/\(instance)"
    }

    /// The workspace, source and instance ids of a destination name; nil when it is not one.
    public static func parseDestination(_ name: String) -> (workspace: String, source: String, instance: String)? {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "workspaces", parts[2] == "sources", parts[4] == "destinations",
            [parts[1], parts[3], parts[5]].allSatisfy({ JSONBody.isIdentifier($0) })
        else { return nil }
        return (String(parts[1]), String(parts[3]), String(parts[5]))
    }
}
