import Foundation

extension Publisher {
    /// A whole-workspace publish of a file read a batch of sources at a time (issue 16): each
    /// batch is decoded, checked against the rules, compiled, signed and written before the
    /// next is read, so that neither the file's tree nor its workspace is ever whole in memory.
    /// Neither are the heads (looked up a batch at a time) nor what was published (a
    /// `PublishedLog`). The rules that span sources (W1, R13) compare keys gathered on the way
    /// (`DuplicateKeys`) at the end. A violation anywhere refuses the publish at the end,
    /// rolling back what was written (it is one transaction); once a source breaks a rule of
    /// its own, nothing more is compiled.
    ///
    /// Nil, with nothing written, when the file is not one this reading takes: not a
    /// well-formed workspace (the whole reading then says what is wrong and where), or one
    /// whose `id` or `ingestionHost` comes after its sources have begun (they are compiled
    /// with them).
    func publishStreamed(
        _ file: MappedFile, now: Date, recording inputDigest: String,
        progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?
    ) async throws -> Outcome? {
        struct NotStreamable: Error {}
        do {
            return try await store.appendBatches(writeKeys: nil) { heads, write in
                var outcome = Outcome()
                try writeBundles(write)
                var report: ValidationReport?
                // Keys two sources share are compared at the end: until then a write key used
                // twice fails the second write, which the report then explains.
                var writeError: (any Error)?
                try Pipeline.run(producing: { emit in
                    read(file, heads: heads, now: now, emit: emit)
                }) { (output: StreamedOutput) in
                    switch output {
                    case .batch(let built, let estimatedTotal):
                        if writeError == nil {
                            do { try write(PublishBatch(manifests: built.signed)) } catch { writeError = error }
                        }
                        outcome.add(built)
                        progress?(outcome.sources, max(outcome.sources, estimatedTotal))
                    case .failed(let error):
                        throw error
                    case .end(let ending):
                        report = ending
                    }
                }
                guard let report else { throw NotStreamable() }
                // What was read must be what was hashed (the marker says so).
                try file.checkUnchanged()
                guard report.isValid else { throw PublishError.invalid(report) }
                if let writeError { throw writeError }
                try writeMarker(inputDigest, for: outcome, write)
                return outcome
            }
        } catch is NotStreamable {
            return nil
        }
    }

    /// What the reading hands the writing: a built batch (with the sources the whole file
    /// probably holds, judged from how far the reading got), then the report, or nil when the
    /// file is not one this reading takes; or why a batch could not be built.
    private enum StreamedOutput: Sendable {
        case batch(BuiltBatch, estimatedTotal: Int)
        case failed(any Error)
        case end(ValidationReport?)
    }

    /// Reads `file` a batch of sources at a time, emitting each batch built, then the end.
    private func read(
        _ file: MappedFile, heads: PublishedHeads, now: Date, emit: (StreamedOutput) -> Bool
    ) {
        var validation = StreamedValidation(rules: rules)
        // The workspace's own fields, read when the first batch needs them.
        var workspace: Workspace?
        var stopped = false
        let whole = WorkspaceBatches.read(file, batchSize: batchSize) { batch in
            if workspace == nil {
                var fields = batch.members
                fields["sources"] = .array([])
                workspace = try? Workspace(tree: .object(fields))
            }
            guard let workspace else { return false }
            validation.check(batch.sources)
            let built: BuiltBatch
            do {
                built =
                    validation.isValid
                    ? try build(batch.sources, of: workspace, heads: heads, now: now)
                    : BuiltBatch(sources: batch.sources.count, compiled: 0, signed: [], published: [])
            } catch {
                _ = emit(.failed(error))
                stopped = true
                return false
            }
            let estimate = Int((Double(validation.sourceCount) / max(batch.progress, 1e-9)).rounded())
            stopped = !emit(.batch(built, estimatedTotal: estimate))
            return !stopped
        }
        guard !stopped else { return }
        // The fields manifests are compiled from, as the whole reading sees them, must be those
        // the sources were compiled with.
        guard let whole, workspace.map({ $0.id == whole.id && $0.ingestionHost == whole.ingestionHost }) ?? true
        else {
            _ = emit(.end(nil))
            return
        }
        _ = emit(.end(validation.report(rereading: file, batchSize: batchSize)))
    }
}
