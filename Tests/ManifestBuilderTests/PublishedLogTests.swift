import Foundation
import TestSupport
import Testing

@testable import ManifestBuilder

/// Issue 16: what a publish keeps of each source it published goes to a temporary file past a
/// bound, and reads back as it was, in order.
@Suite("The log of published sources")
struct PublishedLogTests {
    /// Every kind of entry: new and rolled back (a known diff), refreshed (an empty one), and
    /// changed (destinations to compare later), with and without a previous version.
    static func published() throws -> [Publisher.Published] {
        let workspace = publishedWorkspace
        let manifests = workspace.sources.compactMap { TestCatalog.compiler.compile($0, in: workspace) }
        try #require(manifests.count >= 2)
        let head = PublishedHead(version: 3, contentHash: "old", expiresAt: Date(timeIntervalSince1970: 0))
        let reasons: [(PublishedChange.Reason, PublishedHead?)] = [
            (.new, nil), (.changed, head), (.refreshed, head), (.rollback, head),
        ]
        return manifests.flatMap { manifest in
            reasons.map { reason, head in
                Publisher.Published(
                    pending: Publisher.Pending(manifest: manifest, head: head, reason: reason),
                    version: (head?.version ?? 0) + 1)
            }
        }
    }

    @Test("spilled or kept in memory, every entry reads back as it was, in order", arguments: [1, 3, 4_096])
    func readBack(_ spillAfter: Int) async throws {
        let published = try Self.published()
        var log = PublishedLog(spillAfter: spillAfter)
        for start in stride(from: 0, to: published.count, by: 2) {
            log.append(contentsOf: Array(published[start..<min(start + 2, published.count)]))
        }
        #expect(log.count == published.count)
        var read: [Publisher.Published] = []
        await log.readBack { read.append($0) }
        #expect(read == published)
    }
}
