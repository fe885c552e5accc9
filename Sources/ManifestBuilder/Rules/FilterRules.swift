extension ConnectionRules {
    /// F1: every filter's condition compiles as FQL. The violation names the filter, the
    /// character where the condition goes wrong and what was expected there.
    func checkFilters(_ entry: LocatedInstance, of source: Source, into report: inout ValidationReport) {
        for (index, filter) in entry.instance.filters.enumerated() {
            do {
                _ = try FQL.compile(filter.condition)
            } catch {
                report.append(
                    Violation(
                        rule: .f1, source: source.name, destination: entry.destination.name,
                        instance: entry.instance.name, path: entry.path + ".filters[\(index)].if",
                        message: "the condition of filter '\(filter.name)' is not valid FQL \(error): "
                            + "\(filter.condition)"))
            }
        }
    }
}
