import Crypto
import Foundation

/// Publishing a workspace file, and not reading it again when nothing changed (issue 16).
///
/// An unchanged re-publish of a large file (51 MB for 10,000 sources) spent its time parsing,
/// validating and compiling every source only to find each content hash unchanged; parsing
/// alone took longer than the 1 s goal. So a file publish is keyed by an input digest: the
/// SHA-256 of the file's bytes and of everything else that decides what it appends (the
/// catalog file, the SDK bundles, the CDN base, the signing key, the validity and refresh
/// window, and the build of the program). A successful publish records it in the store as a
/// `PublishMarker`, in the publish's own transaction, with the log's head at commit and the
/// earliest time one of the workspace's manifests becomes due for refresh. The next publish
/// hashes its inputs (about 50 ms for 51 MB) and returns "nothing published" without parsing
/// when all three still hold: the same digest, the same log head (nothing was appended since:
/// no control-plane publish, rollback or other publish), and a clock before the refresh time.
/// Anything else takes the full path, which gives the same result as before the shortcut.
///
/// Why not one digest per source, beside its content hash: the file would still be parsed
/// (1.7 s at 10,000 sources), which alone misses the goal. Why the whole log's head rather than
/// the heads of the workspace's write keys: those are known only from the parsed file. The
/// price is that any publish elsewhere, even of an unrelated source, costs the next file
/// publish one full run.
extension Publisher {
    /// What decides a publish of the workspace file `workspaceFile` (its bytes) with this
    /// publisher, as SHA-256 in hex: the file, the catalog file `catalogFile` this publisher's
    /// catalog was read from, its SDK bundles, CDN base, public key and policy, and `build`,
    /// what identifies the program (another build may compile the same inputs differently).
    func inputDigest(workspaceFile: some DataProtocol, catalogFile: Data, build: String) -> String {
        inputDigest(workspaceLength: workspaceFile.count, catalogFile: catalogFile, build: build) { hasher in
            hasher.update(data: workspaceFile)
        }
    }

    /// The same, over a file mapped into memory, whose pages are handed back as they are hashed:
    /// an unchanged re-publish then never holds the whole file.
    func inputDigest(workspaceFile file: MappedFile, catalogFile: Data, build: String) -> String {
        defer { file.releaseAll() }
        return inputDigest(workspaceLength: file.count, catalogFile: catalogFile, build: build) { hasher in
            file.withBytes { bytes in
                let step = 8 << 20
                for start in stride(from: 0, to: bytes.count, by: step) {
                    let chunk = UnsafeBufferPointer(rebasing: bytes[start..<min(start + step, bytes.count)])
                    hasher.update(bufferPointer: UnsafeRawBufferPointer(chunk))
                    file.release(before: start + step)
                }
            }
        }
    }

    private func inputDigest(
        workspaceLength: Int, catalogFile: Data, build: String, workspace: (inout SHA256) -> Void
    ) -> String {
        var hasher = SHA256()
        /// Each part with its name and length, so that no two sets of parts hash alike.
        func add(_ name: String, _ bytes: some DataProtocol) {
            hasher.update(data: Array("\(name) \(bytes.count)\n".utf8))
            hasher.update(data: bytes)
        }
        add("format", Array("manifest file publish 1".utf8))
        add("build", Array(build.utf8))
        add("catalog", catalogFile)
        for bundle in compiler.bundles.artifacts.values.sorted(by: { $0.destinationID < $1.destinationID }) {
            add("bundle", Array("\(bundle.destinationID) \(bundle.path) \(bundle.integrity)".utf8))
        }
        add("cdn", Array(compiler.cdnBase.utf8))
        add("key", Array("\(key.publicKey.keyID) \(key.publicKey.publicKey)".utf8))
        add("policy", Array("\(policy.validity.bitPattern) \(policy.refreshWithin.bitPattern)".utf8))
        hasher.update(data: Array("workspace \(workspaceLength)\n".utf8))
        workspace(&hasher)
        return hasher.finalize().hexString
    }

    /// Publishes the whole workspace in a file, as `publish(_:now:)` does, and records its
    /// `PublishMarker`; or, when the store holds a current marker of the same inputs and `now`
    /// is before its refresh time, returns "0 published, all unchanged" without parsing the
    /// file (see the extension's notes). `force` always takes the full path, which reads the
    /// file a batch of sources at a time (`publishStreamed`), or whole when it must.
    ///
    /// Throws `InputError` for a file that is not a workspace, `PublishError.invalid` for one
    /// that breaks the rules.
    public func publishFile(
        _ file: MappedFile, catalogFile: Data, build: String, force: Bool = false, now: Date,
        progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil
    ) async throws -> PublishResult {
        var result = PublishResult(changes: [], unchanged: 0)
        try await publishFile(
            file, catalogFile: catalogFile, build: build, force: force, now: now, progress: progress,
            summary: { result.unchanged = $0.unchanged }, change: { result.changes.append($0) })
        return result
    }

    /// The same, handing the result over as it is read back once committed, so that a publish
    /// of a million sources never holds a million changes (issue 16): `summary` first, then
    /// `change` for each source published, in order.
    public func publishFile(
        _ file: MappedFile, catalogFile: Data, build: String, force: Bool = false, now: Date,
        progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil,
        summary: (PublishSummary) throws -> Void, change: (PublishedChange) throws -> Void
    ) async throws {
        let digest = inputDigest(workspaceFile: file, catalogFile: catalogFile, build: build)
        if !force, let marker = try await store.publishMarker(inputDigest: digest), now < marker.refreshAt {
            return try summary(PublishSummary(published: 0, unchanged: marker.manifests))
        }
        let outcome: Outcome
        if let streamed = try await publishStreamed(file, now: now, recording: digest, progress: progress) {
            outcome = streamed
        } else {
            outcome = try await publish(try file.decodedWhole(), now: now, recording: digest, progress: progress)
        }
        try summary(PublishSummary(published: outcome.published.count, unchanged: outcome.unchanged))
        try await report(outcome, change)
    }
}

/// How many sources a publish published, and how many were already current.
public struct PublishSummary: Hashable, Sendable {
    public var published: Int
    public var unchanged: Int
}
