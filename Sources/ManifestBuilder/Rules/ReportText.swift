/// Plain-text renderings for people at a terminal.
public enum ReportText {
    /// The validation report: a headline, then each violation with its rule, location and sentence.
    public static func render(_ report: ValidationReport, for file: String) -> String {
        let verdict = report.isValid ? "valid" : "invalid"
        var lines = [
            "\(file): \(verdict), \(count(report.errors.count, "error")), \(count(report.warnings.count, "warning"))"
        ]
        for violation in report.errors + report.warnings {
            lines.append("")
            lines.append(
                "\(violation.severity.rawValue) \(violation.rule.rawValue) (\(violation.rule.title)) at \(violation.path)"
            )
            let subject = [
                violation.source.map { "source '\($0)'" },
                violation.destination.map { "destination \($0)" },
                violation.instance.map { "instance '\($0)'" },
            ].compactMap { $0 }
            if !subject.isEmpty { lines.append("  " + subject.joined(separator: ", ")) }
            lines.append("  " + violation.message)
        }
        return lines.joined(separator: "\n")
    }

    /// What the workspace connects: each source with its instances, their modes and toggles.
    public static func summary(of workspace: Workspace) -> String {
        let instanceCount = workspace.sources.reduce(0) { $0 + $1.instances.count }
        var lines = [
            "Workspace '\(workspace.name)' (\(workspace.id)): \(count(workspace.sources.count, "source")), "
                + "\(count(instanceCount, "destination instance"))"
        ]
        for source in workspace.sources {
            let device = source.instances.filter { $0.enabled && $0.mode == .device }.count
            let cloud = source.instances.filter { $0.enabled && $0.mode == .cloud }.count
            let disabled = source.instances.filter { !$0.enabled }.count
            lines.append("")
            lines.append(
                "\(source.kind.rawValue) source '\(source.name)' (write key \(source.writeKey)): "
                    + "\(device) device-mode, \(cloud) cloud-mode, \(disabled) disabled")
            for instance in source.instances {
                let state = instance.enabled ? instance.mode.rawValue : "\(instance.mode.rawValue), disabled"
                let destination = instance.name == instance.destination ? "" : " -> \(instance.destination)"
                lines.append("  - \(instance.name)\(destination) [\(state)]")
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func count(_ n: Int, _ noun: String) -> String {
        "\(n) \(noun)\(n == 1 ? "" : "s")"
    }
}

extension ReportText {
    /// What a publish did, one line per published source.
    public static func render(_ result: PublishResult) -> String {
        ([render(PublishSummary(published: result.changes.count, unchanged: result.unchanged))]
            + result.changes.map(render))
            .joined(separator: "\n")
    }

    /// The first line of a publish's result: `published 3 source(s), 7 unchanged`.
    public static func render(_ summary: PublishSummary) -> String {
        "published \(summary.published) source(s), \(summary.unchanged) unchanged"
    }

    /// A source's line in a publish's result: `  wk_web v2 (changed): added Amplitude`.
    public static func render(_ change: PublishedChange) -> String {
        "  \(change.writeKey) v\(change.version) (\(change.reason.rawValue)): \(describe(change.diff))"
    }

    /// One progress line of a long publish: `publishing: 12,000 of 100,000 sources, 9,500/s,
    /// about 9 s left` (the rate and the time left once something is done).
    public static func progress(done: Int, total: Int, elapsed: Double) -> String {
        var line = "publishing: \(grouped(done)) of \(grouped(total)) sources"
        guard done > 0, elapsed > 0 else { return line }
        let rate = Double(done) / elapsed
        line += ", \(grouped(Int(rate.rounded())))/s"
        if done < total {
            let left = Int((Double(total - done) / rate).rounded(.up))
            line += left < 60 ? ", about \(left) s left" : ", about \(left / 60) min \(left % 60) s left"
        }
        return line
    }

    /// 12345 as `12,345`.
    static func grouped(_ number: Int) -> String {
        let digits = String(number.magnitude)
        var out = ""
        for (offset, digit) in digits.enumerated() {
            if offset > 0 && (digits.count - offset) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return number < 0 ? "-" + out : out
    }

    public static func describe(_ diff: ManifestDiff) -> String {
        guard !diff.isEmpty else { return "no destination changes" }
        return [("added", diff.added), ("removed", diff.removed), ("changed", diff.changed)]
            .filter { !$0.1.isEmpty }
            .map { "\($0.0) \($0.1.joined(separator: ", "))" }
            .joined(separator: "; ")
    }

    /// A write key's versions, oldest first.
    public static func render(history: [ManifestVersionInfo], writeKey: String) -> String {
        guard !history.isEmpty else { return "\(writeKey): no published versions" }
        var lines = [
            "\(writeKey): \(history.count) version(s)",
            "  version  published at           expires at             bytes  content hash",
        ]
        for info in history {
            let version = String(info.version).padding(toLength: 7, withPad: " ", startingAt: 0)
            lines.append(
                "  \(version)  \(ManifestTime.format(info.publishedAt))  \(ManifestTime.format(info.expiresAt))  "
                    + "\(String(info.size).padding(toLength: 5, withPad: " ", startingAt: 0))  \(info.contentHash.prefix(16))"
            )
        }
        return lines.joined(separator: "\n")
    }
}
