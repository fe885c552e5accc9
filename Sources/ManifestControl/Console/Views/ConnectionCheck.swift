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
    /// The rules are asked about the source alone, holding only the instances a new one can
    /// clash with: those of the same destination (R2–R7, R9, R10 count and mode rules work per
    /// destination) and the data lakes (R8). The workspace-wide rules (W1, R13) are about ids the
    /// new instance does not have yet, and its name is chosen unique (R1). This keeps the
    /// select-source page linear in the sources, and cheap per source.
    func verdict(_ entry: CatalogDestination, on source: Source) -> Verdict {
        var relevant = source
        relevant.instances = source.instances.filter {
            $0.destination == entry.name || rules.catalog.destination(named: $0.destination)?.dataLake == true
        }
        let alone = Workspace(id: "console-check", name: "console-check", sources: [relevant])
        let name = Self.defaultName(entry, on: source)
        var existing: Set<Violation>?
        var firstReason: String?
        for mode in Self.preferredModes(entry, on: source.kind) {
            var changed = alone
            changed.sources[0].instances.append(
                DestinationInstance(
                    id: "console-check-\(UUID().uuidString)", name: name,
                    destination: entry.name, mode: mode, settings: CatalogFacts.sampleSettings(entry)))
            let errors = rules.validate(changed).errors
            // Most sources are valid: the source alone is validated only when there is something
            // to tell apart (violations it had before from those the new instance brings).
            if errors.isEmpty { return .allowed(mode) }
            let before = existing ?? Set(rules.validate(alone).errors)
            existing = before
            guard let first = errors.first(where: { !before.contains($0) }) else { return .allowed(mode) }
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
        let taken = Set(source.instances.map { comparable($0.name) })
        if !taken.contains(comparable(entry.name)) { return entry.name }
        var number = 2
        while taken.contains(comparable("\(entry.name) \(number)")) { number += 1 }
        return "\(entry.name) \(number)"
    }

    /// A name as R1 compares it: trimmed, ignoring case (without Foundation's trimming, which
    /// was most of the select-source page's time with 1,000 sources).
    private static func comparable(_ name: String) -> String {
        var trimmed = Substring(name)
        while trimmed.first?.isWhitespace == true { trimmed = trimmed.dropFirst() }
        while trimmed.last?.isWhitespace == true { trimmed = trimmed.dropLast() }
        return trimmed.lowercased()
    }
}
