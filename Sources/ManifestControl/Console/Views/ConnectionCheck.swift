import Foundation
import ManifestBuilder

/// Whether a destination may be connected to a source, and in which mode, asked of the
/// connection rules themselves (so the console never disagrees with a write): the "select a
/// source" step shows the sources where it may not, disabled, with the rule's sentence.
struct ConnectionCheck {
    let rules: ConnectionRules

    /// The mode a new instance would get, or the reason none is allowed.
    enum Verdict {
        case allowed(ConnectionMode)
        case refused(String)
    }

    /// Tries the modes in the order an operator would want them (device first on a web source,
    /// where the browser loads it; cloud first elsewhere) with placeholder settings.
    ///
    /// Only the source itself is validated, as a workspace of one: the rules a new instance can
    /// break are about its source (limits, modes, kinds, settings); the workspace-wide ones (W1,
    /// R13) are about ids it does not have yet. This keeps the page linear in the sources.
    func verdict(_ entry: CatalogDestination, on source: Source) -> Verdict {
        let alone = Workspace(id: "console-check", name: "console-check", sources: [source])
        let existing = Set(rules.validate(alone).errors)
        var firstReason: String?
        for mode in Self.preferredModes(entry, on: source.kind) {
            var changed = alone
            changed.sources[0].instances.append(
                DestinationInstance(
                    id: "console-check-\(UUID().uuidString)", name: Self.defaultName(entry, on: source),
                    destination: entry.name, mode: mode, settings: CatalogFacts.sampleSettings(entry)))
            let introduced = rules.validate(changed).errors.filter { !existing.contains($0) }
            guard let first = introduced.first else { return .allowed(mode) }
            firstReason = firstReason ?? "\(first.rule.rawValue): \(first.message)"
        }
        return .refused(firstReason ?? "\(entry.name) has no connection mode")
    }

    static func preferredModes(_ entry: CatalogDestination, on kind: SourceKind) -> [ConnectionMode] {
        let order: [ConnectionMode] = kind == .web ? [.device, .cloud] : [.cloud, .device]
        return order.filter { entry.modes.contains($0) }
    }

    /// The destination's name, numbered when the source already has an instance of that name
    /// (names are unique on a source, R1).
    static func defaultName(_ entry: CatalogDestination, on source: Source) -> String {
        let taken = Set(source.instances.map { $0.name.trimmingCharacters(in: .whitespaces).lowercased() })
        if !taken.contains(entry.name.lowercased()) { return entry.name }
        var number = 2
        while taken.contains("\(entry.name) \(number)".lowercased()) { number += 1 }
        return "\(entry.name) \(number)"
    }
}
