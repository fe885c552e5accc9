import Foundation

extension ConnectionRules {
    /// Validates a workspace file a batch of sources at a time, without holding the whole
    /// workspace: the same report as `validate(_:)` on the decoded file, and the same error for a
    /// file that cannot be used (issue 16). The file is mapped and its pages handed back as they
    /// are read; of the sources passed, only the keys W1 and R13 compare and their names are kept.
    ///
    /// A file that is not a well-formed workspace (a syntax error, a missing or wrong value) is
    /// then read whole, the ordinary way, which says what is wrong and where.
    public func validate(file url: URL, batchSize: Int = 1_024) throws(InputError) -> ValidationReport {
        let file = try MappedFile(url)
        if let report = streamed(file, batchSize: max(1, batchSize)) { return report }
        return validate(try file.decodedWhole())
    }

    private func streamed(_ file: MappedFile, batchSize: Int) -> ValidationReport? {
        var validation = StreamedValidation(rules: self)
        let workspace = WorkspaceBatches.read(file, batchSize: batchSize) { batch in
            validation.check(batch.sources)
            return true
        }
        return workspace == nil ? nil : validation.report
    }
}

/// The connection rules over sources that arrive a batch at a time: each source's own rules
/// on its batch, and the workspace-wide ones (W1, R13) against the keys seen so far, which,
/// with the sources' names, are all it keeps of them. The report lists violations in the
/// order `validate(_:)` does.
struct StreamedValidation {
    let rules: ConnectionRules
    private var names: [String] = []
    private var sourceIDs: [String: Int] = [:]
    private var writeKeys: [String: Int] = [:]
    private var instanceIDs: [String: Int] = [:]
    private var emptyWriteKeys = ValidationReport()
    private var writeKeyFormats = ValidationReport()
    private var sourceIDClashes = ValidationReport()
    private var writeKeyClashes = ValidationReport()
    private var sharedInstances = ValidationReport()
    private var perSource = ValidationReport()

    init(rules: ConnectionRules) {
        self.rules = rules
    }

    /// How many sources were checked.
    var sourceCount: Int { names.count }
    /// Whether no source checked so far breaks a rule.
    var isValid: Bool {
        [emptyWriteKeys, writeKeyFormats, sourceIDClashes, writeKeyClashes, sharedInstances, perSource]
            .allSatisfy(\.isValid)
    }

    mutating func check(_ sources: [Source]) {
        let first = names.count
        for (offset, source) in sources.enumerated() {
            checkKeys(source, at: first + offset)
        }
        let conditions = CompiledConditions(sources)
        let rules = rules
        let reports = Parallel.compactMap(Array(sources.indices)) { offset in
            var report = ValidationReport()
            rules.checkSource(
                sources[offset], at: "$.sources[\(first + offset)]", conditions: conditions, into: &report)
            return report
        }
        for report in reports {
            perSource.errors += report.errors
            perSource.warnings += report.warnings
        }
    }

    private mutating func checkKeys(_ source: Source, at index: Int) {
        names.append(source.name)
        if source.writeKey.isEmpty { emptyWriteKeys.append(ConnectionRules.emptyWriteKey(source, at: index)) }
        rules.checkWriteKeyFormat(source, at: index, into: &writeKeyFormats)
        if let owner = sourceIDs[source.id] {
            sourceIDClashes.append(ConnectionRules.sourceIDClash(source.id, of: source, at: index, owner: names[owner]))
        } else {
            sourceIDs[source.id] = index
        }
        if !source.writeKey.isEmpty {
            if let owner = writeKeys[source.writeKey] {
                writeKeyClashes.append(
                    ConnectionRules.writeKeyClash(source.writeKey, of: source, at: index, owner: names[owner]))
            } else {
                writeKeys[source.writeKey] = index
            }
        }
        for (position, instance) in source.instances.enumerated() {
            if let owner = instanceIDs[instance.id] {
                sharedInstances.append(
                    ConnectionRules.sharedInstance(
                        of: source, at: index, position: position, owner: owner == index ? nil : names[owner]))
            } else {
                instanceIDs[instance.id] = index
            }
        }
    }

    var report: ValidationReport {
        var report = ValidationReport()
        for part in [emptyWriteKeys, writeKeyFormats, sourceIDClashes, writeKeyClashes, sharedInstances, perSource] {
            report.errors += part.errors
            report.warnings += part.warnings
        }
        return report
    }
}
