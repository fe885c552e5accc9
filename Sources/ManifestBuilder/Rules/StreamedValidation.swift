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
        try validate(file: url, batchSize: batchSize, spillAfter: 1_024)
    }

    /// The same, spilling the keys compared to disk past `spillAfter` in a partition.
    func validate(file url: URL, batchSize: Int, spillAfter: Int) throws(InputError) -> ValidationReport {
        let file = try MappedFile(url)
        if let report = streamed(file, batchSize: max(1, batchSize), spillAfter: spillAfter) {
            try file.checkUnchanged()
            return report
        }
        return validate(try file.decodedWhole())
    }

    private func streamed(_ file: MappedFile, batchSize: Int, spillAfter: Int) -> ValidationReport? {
        var validation = StreamedValidation(rules: self, spillAfter: spillAfter)
        let workspace = WorkspaceBatches.read(file, batchSize: batchSize) { batch in
            validation.check(batch.sources)
            return true
        }
        guard workspace != nil else { return nil }
        return validation.report(rereading: file, batchSize: batchSize)
    }
}

/// The connection rules over sources that arrive a batch at a time: each source's own rules
/// on its batch; the workspace-wide ones (W1, R13) over keys gathered as the sources pass
/// (`DuplicateKeys`) and compared at the end, so that nothing kept grows with the workspace
/// but the violations. The report lists violations in the order `validate(_:)` does.
struct StreamedValidation {
    let rules: ConnectionRules
    /// How many sources were checked.
    private(set) var sourceCount = 0
    private var keys = DuplicateKeys()
    private var emptyWriteKeys = ValidationReport()
    private var writeKeyFormats = ValidationReport()
    private var perSource = ValidationReport()

    init(rules: ConnectionRules, spillAfter: Int = 1_024) {
        self.rules = rules
        keys = DuplicateKeys(spillAfter: spillAfter)
    }

    /// Whether no source checked so far breaks a rule of its own: the keys two sources may
    /// share are compared only by `report`.
    var isValid: Bool {
        [emptyWriteKeys, writeKeyFormats, perSource].allSatisfy(\.isValid)
    }

    mutating func check(_ sources: [Source]) {
        let first = sourceCount
        for (offset, source) in sources.enumerated() {
            checkKeys(source, at: first + offset)
        }
        sourceCount += sources.count
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
        if source.writeKey.isEmpty { emptyWriteKeys.append(ConnectionRules.emptyWriteKey(source, at: index)) }
        rules.checkWriteKeyFormat(source, at: index, into: &writeKeyFormats)
        keys.add(.sourceID, source.id, source: index)
        if !source.writeKey.isEmpty { keys.add(.writeKey, source.writeKey, source: index) }
        for (position, instance) in source.instances.enumerated() {
            keys.add(.instanceID, instance.id, source: index, position: position)
        }
    }

    /// The report of every source checked. When keys clash, the sources involved are read
    /// again from `file` (`batchSize` at a time): the messages name them.
    func report(rereading file: MappedFile, batchSize: Int) -> ValidationReport {
        let duplicates = keys.duplicates()
        var named: [Int: Source] = [:]
        if !duplicates.isEmpty {
            let indices = Set(duplicates.flatMap { [$0.source, $0.owner] })
            named = WorkspaceBatches.sources(at: indices, in: file, batchSize: batchSize)
        }
        var clashes: [DuplicateKeys.Kind: ValidationReport] = [:]
        for duplicate in duplicates {
            guard let source = named[duplicate.source], let owner = named[duplicate.owner] else { continue }
            let (index, kind) = (duplicate.source, duplicate.kind)
            let violation =
                switch kind {
                case .sourceID: ConnectionRules.sourceIDClash(source.id, of: source, at: index, owner: owner.name)
                case .writeKey:
                    ConnectionRules.writeKeyClash(source.writeKey, of: source, at: index, owner: owner.name)
                case .instanceID:
                    ConnectionRules.sharedInstance(
                        of: source, at: index, position: duplicate.position,
                        owner: duplicate.owner == index ? nil : owner.name)
                }
            clashes[kind, default: ValidationReport()].append(violation)
        }
        var report = ValidationReport()
        let parts =
            [emptyWriteKeys, writeKeyFormats]
            + [.sourceID, .writeKey, .instanceID].map { clashes[$0] ?? ValidationReport() } + [perSource]
        for part in parts {
            report.errors += part.errors
            report.warnings += part.warnings
        }
        return report
    }
}
