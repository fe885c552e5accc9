import Foundation

/// An instance with what the per-source rules need to know about it.
struct LocatedInstance {
    var index: Int
    var instance: DestinationInstance
    var destination: CatalogDestination
    var sourcePath: String

    /// Built only when a violation needs it: most instances are valid.
    var path: String { "\(sourcePath).instances[\(index)]" }
}

extension ConnectionRules {
    /// The rules that look at one source: names (R1), each instance on its own (W2, R9, R10,
    /// R11, F1), each destination's instances together (R2–R7) and data lakes (R8).
    func checkSource(
        _ source: Source, at path: String, conditions: CompiledConditions, into report: inout ValidationReport
    ) {
        checkUniqueNames(source, at: path, into: &report)
        var located: [LocatedInstance] = []
        for (index, instance) in source.instances.enumerated() {
            guard let destination = resolve(instance, of: source, at: "\(path).instances[\(index)]", into: &report)
            else {
                continue
            }
            let entry = LocatedInstance(index: index, instance: instance, destination: destination, sourcePath: path)
            checkMode(entry, of: source, into: &report)
            checkSettings(entry, of: source, into: &report)
            checkFilters(entry, of: source, conditions: conditions, into: &report)
            located.append(entry)
        }
        // Only a destination with two instances or more can break R2–R7.
        if Set(located.lazy.map(\.destination.name)).count < located.count {
            for group in groupedByDestination(located) where group.count > 1 {
                checkInstanceCounts(group, of: source, into: &report)
            }
        }
        checkDataLakes(located, of: source, into: &report)
    }

    /// R1: names are unique within a source, compared trimmed and case-insensitively.
    private func checkUniqueNames(_ source: Source, at path: String, into report: inout ValidationReport) {
        var seen: [String: Int] = [:]
        seen.reserveCapacity(source.instances.count)
        for (index, instance) in source.instances.enumerated() {
            let key = Self.comparableName(instance.name)
            guard let firstIndex = seen[key] else {
                seen[key] = index
                continue
            }
            let first = source.instances[firstIndex]
            report.append(
                Violation(
                    rule: .r1, source: source.name, destination: instance.destination, instance: instance.name,
                    path: "\(path).instances[\(index)].name",
                    message: "source '\(source.name)' already has an instance named '\(first.name)'; "
                        + "instances connected to one source need unique names (compared trimmed, ignoring case)"))
        }
    }

    /// Trimmed and lower-cased; Foundation's trimming only when there is white space to trim.
    static func comparableName(_ name: String) -> String {
        let padded = name.first?.isWhitespace == true || name.last?.isWhitespace == true
        return (padded ? name.trimmingCharacters(in: .whitespaces) : name).lowercased()
    }

    /// W2: the destination exists in the catalog's destinations (never its sources).
    private func resolve(
        _ instance: DestinationInstance, of source: Source, at path: @autoclosure () -> String,
        into report: inout ValidationReport
    ) -> CatalogDestination? {
        if let destination = catalog.destination(named: instance.destination) { return destination }
        let hint =
            catalog.hasSource(named: instance.destination)
            ? "'\(instance.destination)' is a source in the catalog, not a destination"
            : "the catalog has no destination named '\(instance.destination)'"
        report.append(
            Violation(
                rule: .w2, source: source.name, destination: instance.destination, instance: instance.name,
                path: path() + ".destination", message: "instance '\(instance.name)': \(hint)"))
        return nil
    }

    /// R9 and R10: the mode is one the destination supports, and server sources are cloud only.
    private func checkMode(_ entry: LocatedInstance, of source: Source, into report: inout ValidationReport) {
        let instance = entry.instance
        let destination = entry.destination
        if source.kind == .server && instance.mode == .device {
            report.append(
                Violation(
                    rule: .r9, source: source.name, destination: destination.name, instance: instance.name,
                    path: entry.path + ".mode",
                    message: "server source '\(source.name)' cannot have the device-mode instance '\(instance.name)'; "
                        + "server sources never run on a user's device, so they are cloud only"))
        }
        if !destination.modes.contains(instance.mode) {
            let supported = destination.modes.map(\.rawValue).sorted().joined(separator: " and ")
            report.append(
                Violation(
                    rule: .r10, source: source.name, destination: destination.name, instance: instance.name,
                    path: entry.path + ".mode",
                    message: "instance '\(instance.name)' uses \(instance.mode.rawValue) mode, but \(destination.name) "
                        + "supports only \(supported) mode"))
        }
    }

    private func groupedByDestination(_ located: [LocatedInstance]) -> [[LocatedInstance]] {
        var order: [String] = []
        var groups: [String: [LocatedInstance]] = [:]
        for entry in located {
            if groups[entry.destination.name] == nil { order.append(entry.destination.name) }
            groups[entry.destination.name, default: []].append(entry)
        }
        return order.map { groups[$0]! }
    }

    /// R8: at most one Data Lakes instance per source.
    private func checkDataLakes(_ located: [LocatedInstance], of source: Source, into report: inout ValidationReport) {
        let lakes = located.filter(\.destination.dataLake)
        guard let first = lakes.first else { return }
        for extra in lakes.dropFirst() {
            report.append(
                Violation(
                    rule: .r8, source: source.name, destination: extra.destination.name, instance: extra.instance.name,
                    path: extra.path,
                    message: "source '\(source.name)' already has a Data Lakes instance ('\(first.instance.name)'); "
                        + "a source connects to at most one Data Lakes destination"))
        }
    }
}
