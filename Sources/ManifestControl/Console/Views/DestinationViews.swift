import ManifestBuilder

/// Configure, last step: name the instance and fill in its connection settings.
struct ConnectView {
    var layout: Layout
    var destination: String
    var summary: String
    var source: String
    var action: String
    var cancel: String
    var name: String
    var modes: [ModeChoice]
    var settings: [SettingsForm.Field]
    var errors: [String: String]
    var general: String?
}

/// One mode a destination can run in, as a radio button.
struct ModeChoice {
    var value: String
    var label: String
    var checked: Bool

    /// The modes of `entry`, `current` checked; empty when there is nothing to choose.
    static func choices(_ entry: CatalogDestination, current: ConnectionMode) -> [ModeChoice] {
        guard entry.modes.count > 1 else { return [] }
        return [ConnectionMode.device, .cloud].map { mode in
            ModeChoice(
                value: mode.rawValue,
                label: mode == .device ? "Device mode: the browser loads the SDK" : "Cloud mode: sent from servers",
                checked: mode == current)
        }
    }
}

/// An instance's settings page: the toggle at the top, its name and mode, connection settings,
/// copy settings from another instance, its filters, and delete.
struct InstanceView {
    var layout: Layout
    var id: String
    var name: String
    var destination: String
    var source: String
    var sourceLink: String
    var mode: String
    var enabled: Bool
    var base: String
    var modes: [ModeChoice]
    var settings: [SettingsForm.Field]
    var copySources: [CopySource]
    var filters: [Filter]
    var errors: [String: String]
    var general: String?

    /// Another instance of the same destination, to copy settings from.
    struct CopySource {
        var value: String
        var label: String
    }

    struct Filter {
        var index: Int
        var name: String
        var condition: String
        var action: String
    }

    static func filters(_ instance: DestinationInstance) -> [Filter] {
        instance.filters.enumerated().map { index, filter in
            let action =
                switch filter.action {
                case .drop: "Drop the event"
                case .sample(let percent, let path):
                    "Keep \(percent.formatted())% of events" + (path.map { ", sampled by \($0)" } ?? "")
                case .dropProperties(let fields): "Drop properties " + fields.joined(separator: ", ")
                case .allowProperties(let fields): "Keep only properties " + fields.joined(separator: ", ")
                }
            return Filter(index: index, name: filter.name, condition: filter.condition, action: action)
        }
    }
}
