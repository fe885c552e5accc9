import Foundation
import Synchronization

/// Pure CPU work spread over every core (validating, compiling and signing many sources).
enum Parallel {
    /// `transform` over `items`, results in order, nils dropped. Uses `concurrentPerform`
    /// rather than tasks so that it can also run inside a synchronous database transaction.
    static func compactMap<Item: Sendable, Output: Sendable>(
        _ items: [Item], _ transform: @Sendable (Item) -> Output?
    ) -> [Output] {
        guard items.count > 1 else { return items.compactMap(transform) }
        let chunkCount = min(items.count, ProcessInfo.processInfo.activeProcessorCount * 4)
        let chunkSize = (items.count + chunkCount - 1) / chunkCount
        let results = Mutex([[Output]](repeating: [], count: chunkCount))
        DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
            let slice = items[min(chunk * chunkSize, items.count)..<min((chunk + 1) * chunkSize, items.count)]
            let outputs = slice.compactMap(transform)
            results.withLock { $0[chunk] = outputs }
        }
        return results.withLock { $0.flatMap { $0 } }
    }
}
