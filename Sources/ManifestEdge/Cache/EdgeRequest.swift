import HTTPTypes

/// A request as the edge cache sees it.
public struct EdgeRequest: Sendable {
    public var method: HTTPRequest.Method
    /// The request target: the path with its query, such as `/v1/projects/abc/settings?x=1`.
    public var target: String
    public var headerFields: HTTPFields

    public init(method: HTTPRequest.Method = .get, target: String, headerFields: HTTPFields = [:]) {
        self.method = method
        self.target = target
        self.headerFields = headerFields
    }
}
