extension ConnectionRules {
    /// R2–R7 for all instances of one destination on one source. Each instance over a limit is
    /// reported once, under the most specific rule.
    func checkInstanceCounts(_ group: [LocatedInstance], of source: Source, into report: inout ValidationReport) {
        guard let first = group.first else { return }
        let destination = first.destination
        var reported: Set<Int> = []

        func flag(_ rule: RuleID, _ entry: LocatedInstance, _ message: String) {
            reported.insert(entry.index)
            report.append(
                Violation(
                    rule: rule, source: source.name, destination: destination.name, instance: entry.instance.name,
                    path: entry.path, message: message))
        }

        if let (rule, reason) = singleInstanceRule(for: destination, on: source.kind) {
            for extra in group.dropFirst() {
                flag(
                    rule, extra,
                    "source '\(source.name)' already has an instance of \(destination.name) "
                        + "('\(first.instance.name)'); \(reason)")
            }
        }

        if source.kind == .web {
            let device = group.filter { $0.instance.mode == .device }
            for extra in device.dropFirst() where !reported.contains(extra.index) {
                flag(
                    .r3, extra,
                    "source '\(source.name)' already has a device-mode instance of "
                        + "\(destination.name) ('\(device[0].instance.name)'); a web source can bundle only one copy "
                        + "of a destination's SDK")
            }
        }

        let cloud = group.filter { $0.instance.mode == .cloud }
        for extra in cloud.dropFirst(Self.cloudFanOutLimit) where !reported.contains(extra.index) {
            flag(
                .r2, extra,
                "source '\(source.name)' already has \(Self.cloudFanOutLimit) cloud-mode instances "
                    + "of \(destination.name); a source connects to at most \(Self.cloudFanOutLimit) cloud-mode "
                    + "instances of one destination")
        }

        if let warning = bundledBesideOthers(group, of: source) { report.append(warning) }
    }

    /// R5's warning: a mobile or project source bundles one instance in device mode while other
    /// instances of the same destination are connected.
    private func bundledBesideOthers(_ group: [LocatedInstance], of source: Source) -> Violation? {
        guard source.kind.isMobileLike, group.count > 1,
            let bundled = group.first(where: { $0.instance.mode == .device })
        else { return nil }
        let destination = bundled.destination
        return Violation(
            rule: .r5, severity: .warning, source: source.name, destination: destination.name,
            instance: bundled.instance.name, path: bundled.path,
            message:
                "\(source.kind.rawValue) source '\(source.name)' bundles '\(bundled.instance.name)' in device mode "
                + "while \(group.count - 1) other instance(s) of \(destination.name) are connected; "
                + "expect unexpected and inconsistent data")
    }

    /// The rule that allows only one instance of `destination` on a source of `kind`, if any,
    /// with the reason people read.
    private func singleInstanceRule(
        for destination: CatalogDestination, on kind: SourceKind
    ) -> (RuleID, String)? {
        let name = destination.name
        if destination.isDeviceOnly {
            return (.r4, "\(name) operates in device mode only, and a source can include only one copy of its code")
        }
        let allowed = destination.allowsMultiInstance(on: kind)
        if !allowed && (destination.multiInstanceBySourceKind[kind] != nil || destination.family == .actions) {
            return (.r7, "\(name) has no multi-instance support on \(kind.rawValue) sources")
        }
        if kind.isMobileLike && !destination.isCloudOnly {
            return (
                .r5,
                "\(kind.rawValue) sources may connect several instances only of cloud-only destinations, "
                    + "and \(name) also runs in device mode"
            )
        }
        if !allowed {
            return (.r6, "\(name) does not support multiple instances on one source")
        }
        return nil
    }
}
