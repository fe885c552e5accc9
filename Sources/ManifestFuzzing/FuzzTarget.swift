/// The fuzz targets: each takes arbitrary bytes and must neither crash nor hang, and checks
/// what must hold whatever the input. The libFuzzer executables under `fuzz/` call `run`
/// (`make fuzz`); `FuzzCorpusTests` replays the committed corpus through the same call, so CI
/// runs every input the fuzzer kept without fuzzing.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// `JSONValue.parse` and `InputDocument.decode` (workspace and catalog).
    case json
    /// `CacheDirectives`, `HTTPDate`, `EntityTag` and the `Manifest-Signature` dictionary.
    case httpFields = "http-fields"
    /// Raw bytes sent to a real edge server on 127.0.0.1, its client then half-closing.
    case edgeRequest = "edge-request"

    /// Runs one input through this target.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .json: JSONFuzzing.run(bytes)
        case .httpFields: HTTPFieldFuzzing.run(bytes)
        case .edgeRequest: EdgeRequestFuzzing.run(bytes)
        }
    }
}
