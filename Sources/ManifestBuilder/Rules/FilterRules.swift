extension ConnectionRules {
    /// F1: every filter's condition compiles as FQL. The violation names the filter, the
    /// character where the condition goes wrong and what was expected there.
    func checkFilters(
        _ entry: LocatedInstance, of source: Source, conditions: CompiledConditions, into report: inout ValidationReport
    ) {
        for (index, filter) in entry.instance.filters.enumerated() {
            guard let error = conditions.error(for: filter.condition) else { continue }
            report.append(
                Violation(
                    rule: .f1, source: source.name, destination: entry.destination.name,
                    instance: entry.instance.name, path: entry.path + ".filters[\(index)].if",
                    message: "the condition of filter '\(filter.name)' is not valid FQL \(error): "
                        + "\(filter.condition)"))
        }
    }
}

/// Each distinct filter condition of the sources being validated, compiled once.
///
/// Large workspaces repeat the same few conditions across many sources; lexing and parsing
/// them again for every instance was half the time of validating a 10,000-source workspace
/// (issue 16). A condition that was not among the sources given is compiled when asked for.
struct CompiledConditions: Sendable {
    private var checked: Set<String> = []
    private var failures: [String: FQLError] = [:]

    init(_ sources: some Sequence<Source>) {
        for source in sources {
            for instance in source.instances {
                for filter in instance.filters { checked.insert(filter.condition) }
            }
        }
        let failed = Parallel.compactMap(Array(checked)) { condition -> (String, FQLError)? in
            do throws(FQLError) {
                _ = try FQL.compile(condition)
                return nil
            } catch {
                return (condition, error)
            }
        }
        failures = Dictionary(failed) { first, _ in first }
    }

    /// Why `condition` is not valid FQL, or nil when it is.
    func error(for condition: String) -> FQLError? {
        guard checked.contains(condition) else {
            do throws(FQLError) {
                _ = try FQL.compile(condition)
                return nil
            } catch {
                return error
            }
        }
        return failures[condition]
    }
}
