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
        if let report = streamed(file, batchSize: max(1, batchSize)) {
            try file.checkUnchanged()
            return report
        }
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
    /// The first source with each id, write key and instance id, by fingerprint.
    private var sourceIDs: [KeyFingerprint: Int] = [:]
    private var writeKeys: [KeyFingerprint: Int] = [:]
    private var instanceIDs: [KeyFingerprint: Int] = [:]
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
        if let owner = Self.first(source.id, index, in: &sourceIDs) {
            sourceIDClashes.append(ConnectionRules.sourceIDClash(source.id, of: source, at: index, owner: names[owner]))
        }
        if !source.writeKey.isEmpty, let owner = Self.first(source.writeKey, index, in: &writeKeys) {
            writeKeyClashes.append(
                ConnectionRules.writeKeyClash(source.writeKey, of: source, at: index, owner: names[owner]))
        }
        for (position, instance) in source.instances.enumerated() {
            if let owner = Self.first(instance.id, index, in: &instanceIDs) {
                sharedInstances.append(
                    ConnectionRules.sharedInstance(
                        of: source, at: index, position: position, owner: owner == index ? nil : names[owner]))
            }
        }
    }

    /// The source that had `key` first, or nil when `index` is the first (and is recorded).
    private static func first(_ key: String, _ index: Int, in owners: inout [KeyFingerprint: Int]) -> Int? {
        let fingerprint = KeyFingerprint(key)
        if let owner = owners[fingerprint] { return owner }
        owners[fingerprint] = index
        return nil
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

/// What the streamed validation keeps of each id and write key: 128 bits, two SipHash digests
/// of it under different salts (keyed by the process's random seed), 16 bytes where the string
/// and its dictionary slot took about 100. Over a million sources of 14 instances, two keys
/// sharing a fingerprint by chance has a probability of about 10^-25: a false clash is not a
/// practical concern, and a real one is always found.
struct KeyFingerprint: Hashable {
    let first: Int
    let second: Int

    init(_ key: String) {
        var first = Hasher()
        first.combine(0 as UInt8)
        first.combine(key)
        var second = Hasher()
        second.combine(1 as UInt8)
        second.combine(key)
        self.first = first.finalize()
        self.second = second.finalize()
    }
}
