import ManifestBuilder

/// The catalog page (and the source's "Add Destination" search, which is the same list with the
/// source already chosen): two tabs, a search, results with mode, family and multi-instance
/// support, and the panel of the selected result.
struct CatalogView {
    var layout: Layout
    var tab: String
    var sourcesTab: Bool
    var query: String
    var results: [Result]
    var selected: Panel?
    /// Set when adding from a source's page: Configure goes straight to its settings.
    var source: SourceSummary?
    /// Where the search form and the result links go.
    var action: String

    struct Result {
        var id: String
        var name: String
        var mode: String
        var family: String
        var multiInstance: String
        var alsoOtherKind: Bool
        var isSelected: Bool
        var link: String
    }

    struct Panel {
        var id: String
        var name: String
        var summary: String
        var isDestination: Bool
        var mode: String
        var family: String
        var multiInstance: String
        var settings: [String]
        /// The Configure button's target (destinations only).
        var configure: String?
        /// For a catalog source: the destination of the same name, if any.
        var destinationLink: String?
    }

    struct SourceSummary {
        var name: String
    }

    static func mode(_ entry: CatalogDestination) -> String {
        entry.modes.count == 2 ? "Device and cloud" : entry.isDeviceOnly ? "Device" : "Cloud"
    }

    static func family(_ entry: CatalogDestination) -> String {
        entry.family == .actions ? "Actions" : "Classic"
    }

    /// "Yes", "No", or the source kinds that allow it.
    static func multiInstance(_ entry: CatalogDestination, facts: CatalogFacts) -> String {
        let kinds = facts.allowedKinds(entry)
        let multi = kinds.filter { facts.multiInstance(entry, on: $0) }
        if multi.isEmpty { return "No" }
        if multi.count == kinds.count { return "Yes" }
        return "On " + multi.map(\.rawValue).joined(separator: ", ") + " sources"
    }

    /// Case-insensitive match on the name, the id and the summary.
    static func matches(_ query: String, _ fields: String?...) -> Bool {
        let needle = query.trimmingCharacters(in: .whitespaces).lowercased()
        guard !needle.isEmpty else { return true }
        return fields.contains { $0?.lowercased().contains(needle) == true }
    }
}
