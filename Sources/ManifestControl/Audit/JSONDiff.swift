import Foundation
import ManifestBuilder

/// The JSON pointers (RFC 6901) at which two JSON values differ: what an audit record lists
/// as its diff, next to the full before and after.
public enum JSONDiff {
    public static func changedPointers(from before: JSONValue?, to after: JSONValue?) -> [String] {
        var pointers: [String] = []
        collect(before, after, at: "", into: &pointers)
        return pointers
    }

    private static func collect(
        _ before: JSONValue?, _ after: JSONValue?, at pointer: String, into pointers: inout [String]
    ) {
        if before == after { return }
        guard case .object(let old)? = before, case .object(let new)? = after else {
            pointers.append(pointer)
            return
        }
        for key in Set(old.keys).union(new.keys).sorted() {
            collect(old[key], new[key], at: pointer + "/" + JSONPointer.escape(key), into: &pointers)
        }
    }
}

/// RFC 6901 JSON pointers.
public enum JSONPointer {
    /// One reference token: `~` becomes `~0` and `/` becomes `~1`.
    public static func escape(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}
