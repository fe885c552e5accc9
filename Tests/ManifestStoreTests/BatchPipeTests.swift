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
        for try await case .insert(let batch) in pipe.requests {
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
        for try await _ in pipe.requests {
            pipe.stop()
            break
        }
        await #expect(throws: BatchPipe.Stopped.self) { try await built.value }
    }

    @Test("the builder's questions for heads are answered in turn with the batches; a stop answers one left waiting")
    func heads() async throws {
        let pipe = BatchPipe(capacity: 2)
        let head = PublishedHead(version: 3, contentHash: "h", expiresAt: .distantFuture)
        async let built: [Int] = pipe.run { pipe in
            var versions: [Int] = []
            for index in 0..<3 {
                try pipe.send(Self.batch(index))
                versions.append(try pipe.heads(["wk_\(index)"])["wk_\(index)"]?.version ?? 0)
            }
            return versions
        }
        var order: [String] = []
        for try await request in pipe.requests {
            switch request {
            case .insert(let batch):
                order.append(batch.bundles[0].path)
                pipe.taken()
            case .heads(let writeKeys, let answer):
                order.append(writeKeys[0])
                answer.give(.success([writeKeys[0]: head]))
            }
        }
        #expect(order == ["/0.js", "wk_0", "/1.js", "wk_1", "/2.js", "wk_2"])
        #expect(try await built == [3, 3, 3])

        let stopped = BatchPipe(capacity: 1)
        let waiting = Task { try await stopped.run { pipe in try pipe.heads(["wk_a"]) } }
        for try await _ in stopped.requests {
            stopped.stop()  // the question is left unanswered
            break
        }
        await #expect(throws: BatchPipe.Stopped.self) { try await waiting.value }
    }
}
