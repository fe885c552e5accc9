import ManifestBuilder
import Synchronization
import Testing

@testable import ManifestPostgres

/// The hand-over between the thread that builds a publish's batches and the PostgreSQL
/// transaction that inserts them: bounded, in order, and stoppable.
@Suite("Batch pipe")
struct BatchPipeTests {
    static func batch(_ index: Int) -> PublishBatch {
        PublishBatch(manifests: [], bundles: [BundleArtifact(destinationID: "d", path: "/\(index).js", bytes: [])])
    }

    @Test("the builder runs at most two batches ahead of the inserts, which see every batch in order")
    func bounded() async throws {
        let pipe = BatchPipe(capacity: 2)
        let sent = Atomic(0)
        async let built: Int = pipe.run { pipe in
            for index in 0..<20 {
                try pipe.send(Self.batch(index))
                sent.add(1, ordering: .sequentiallyConsistent)
            }
            return 20
        }
        var taken = 0
        for try await batch in pipe.batches {
            #expect(batch.bundles.first?.path == "/\(taken).js")
            #expect(sent.load(ordering: .sequentiallyConsistent) <= taken + 2)
            taken += 1
            pipe.taken()
        }
        #expect(taken == 20)
        #expect(try await built == 20)
    }

    @Test("when the inserts stop, the waiting builder is released with an error")
    func stopped() async throws {
        let pipe = BatchPipe(capacity: 1)
        let built = Task {
            try await pipe.run { pipe in
                for index in 0..<20 { try pipe.send(Self.batch(index)) }
                return 20
            }
        }
        for try await _ in pipe.batches {
            pipe.stop()
            break
        }
        await #expect(throws: BatchPipe.Stopped.self) { try await built.value }
    }
}
