import HTTPTypes
import NIOCore

/// A request as the edge cache sees it.
public struct EdgeRequest: Sendable {
    public var method: HTTPRequest.Method
    /// The request target: the path with its query, such as `/v1/projects/abc/settings?x=1`.
    public var target: String
    public var headerFields: HTTPFields
    /// The content of an unsafe request (POST, PUT, ...), forwarded as it is.
    public var body: ByteBuffer

    public init(
        method: HTTPRequest.Method = .get, target: String, headerFields: HTTPFields = [:],
        body: ByteBuffer = ByteBuffer()
    ) {
        self.method = method
        self.target = target
        self.headerFields = headerFields
        self.body = body
    }
}
