/// A workspace file read a batch of sources at a time (issue 16): only one batch's tree and
/// sources are alive at once, and the file's pages are handed back as the reading passes them.
enum WorkspaceBatches {
    /// One batch: its sources, the workspace's own fields read so far (those before `sources`
    /// in the file), and how far into the file the reading is, from 0 to 1.
    struct Batch {
        var sources: [Source]
        var members: [String: JSONValue]
        var progress: Double
    }

    /// Hands each batch to `body`, which returns false to stop. Returns the workspace's own
    /// fields (with no sources) once the whole file was read; nil when `body` stopped, or when
    /// the file is not a well-formed workspace, which reading it whole describes.
    static func read(_ file: MappedFile, batchSize: Int, _ body: (Batch) -> Bool) -> Workspace? {
        var members: [String: JSONValue] = [:]
        var elements: [JSONValue] = []
        func flush(at offset: Int) -> Bool {
            guard !elements.isEmpty else { return true }
            guard case .success(let sources) = Source.decodeAll(.array(elements)) else { return false }
            elements.removeAll(keepingCapacity: true)
            return body(Batch(sources: sources, members: members, progress: Double(offset) / Double(file.count)))
        }
        let read = file.withBytes { bytes in
            var parser = JSONParser(bytes)
            return try? parser.streamObject(
                streaming: "sources",
                member: { key, value in
                    members[key] = value
                    return true
                },
                element: { element, end in
                    elements.append(element)
                    guard elements.count >= batchSize else { return true }
                    file.release(before: end)
                    return flush(at: end)
                })
        }
        guard read == true, flush(at: file.count) else { return nil }
        return try? Workspace(tree: .object(members))
    }

    /// The sources at `indices` (positions in `sources`), read again from `file`: what a
    /// report naming a few sources needs once the batches are gone.
    static func sources(at indices: Set<Int>, in file: MappedFile, batchSize: Int) -> [Int: Source] {
        var found: [Int: Source] = [:]
        var first = 0
        _ = read(file, batchSize: batchSize) { batch in
            for (offset, source) in batch.sources.enumerated() where indices.contains(first + offset) {
                found[first + offset] = source
            }
            first += batch.sources.count
            return found.count < indices.count
        }
        return found
    }
}
