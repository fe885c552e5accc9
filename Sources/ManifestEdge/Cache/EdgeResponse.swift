import HTTPTypes
import ManifestHTTP
import NIOCore

/// The edge's answer.
public struct EdgeResponse: Sendable {
    public var status: HTTPResponse.Status
    public var body: ByteBuffer
    /// The fields as stored, then the ones this answer adds (`Age`, `Cache-Status`): kept apart
    /// so that a hit shares the stored fields instead of copying them.
    var storedFields: HTTPFields
    var addedFields: [HTTPField]
    /// The HTTP/1.1 status line and `storedFields` as bytes, when the cache prepared them with
    /// the entry (a hit on a complete response).
    var preparedHead: [UInt8]?

    public init(status: HTTPResponse.Status, headerFields: HTTPFields, body: ByteBuffer) {
        self.status = status
        self.body = body
        self.storedFields = headerFields
        self.addedFields = []
        self.preparedHead = nil
    }

    init(
        status: HTTPResponse.Status, storedFields: HTTPFields, preparedHead: [UInt8]?, addedFields: [HTTPField],
        body: ByteBuffer
    ) {
        self.status = status
        self.body = body
        self.storedFields = storedFields
        self.addedFields = addedFields
        self.preparedHead = preparedHead
    }

    public var headerFields: HTTPFields {
        get {
            var fields = storedFields
            fields.append(contentsOf: addedFields)
            return fields
        }
        set {
            storedFields = newValue
            addedFields = []
            preparedHead = nil
        }
    }
}

/// Error answers the edge makes itself: JSON with a sentence, never cached downstream.
enum EdgeResponses {
    static func error(_ status: HTTPResponse.Status, _ message: String, allow: String? = nil) -> EdgeResponse {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[.cacheControl] = "no-store"
        fields[.accessControlAllowOrigin] = "*"
        if let allow { fields[.allow] = allow }
        let body = ErrorBody(error: message, status: status.code).encoded()
        return EdgeResponse(status: status, headerFields: fields, body: ByteBuffer(bytes: body))
    }
}
