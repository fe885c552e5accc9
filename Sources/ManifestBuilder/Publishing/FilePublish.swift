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
    public func inputDigest(workspaceFile: Data, catalogFile: Data, build: String) -> String {
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
        add("workspace", workspaceFile)
        return hasher.finalize().hexString
    }

    /// Publishes the whole workspace in a file, as `publish(_:now:)` does, and records its
    /// `PublishMarker`; or, when the store holds a current marker of the same inputs and `now`
    /// is before its refresh time, returns "0 published, all unchanged" without calling
    /// `parse` (see the extension's notes). `force` always takes the full path.
    ///
    /// `contents` is handed to `parse`, which may let the bytes go once it has parsed them.
    public func publishFile(
        _ contents: consuming Data, catalogFile: Data, build: String, force: Bool = false, now: Date,
        parse: (consuming Data) throws -> Workspace,
        progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil
    ) async throws -> PublishResult {
        let digest = inputDigest(workspaceFile: contents, catalogFile: catalogFile, build: build)
        if !force, let marker = try await store.publishMarker(inputDigest: digest), now < marker.refreshAt {
            return PublishResult(changes: [], unchanged: marker.manifests)
        }
        let workspace = try parse(consume contents)
        return try await publish(workspace, now: now, recording: digest, progress: progress)
    }
}
