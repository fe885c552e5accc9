import Foundation

/// The JSON body of every error the origin and the edge answer themselves:
/// `{"error": "<a sentence>", "status": 404, "writeKey": ..., "version": ..., "path": ...}`,
/// with absent members left out.
public struct ErrorBody: Encodable, Hashable, Sendable {
    public var error: String
    public var status: Int
    public var writeKey: String?
    public var version: Int?
    public var path: String?

    public init(error: String, status: Int, writeKey: String? = nil, version: Int? = nil, path: String? = nil) {
        self.error = error
        self.status = status
        self.writeKey = writeKey
        self.version = version
        self.path = path
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The body's bytes: strings and integers always encode.
    public func encoded() -> Data {
        (try? Self.encoder.encode(self)) ?? Data(#"{"error":"error","status":\#(status)}"#.utf8)
    }
}
