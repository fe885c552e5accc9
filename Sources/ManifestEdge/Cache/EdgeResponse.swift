import HTTPTypes
import ManifestHTTP
import NIOCore

/// The edge's answer.
public struct EdgeResponse: Sendable {
    public var status: HTTPResponse.Status
    public var body: ByteBuffer
    /// The fields as stored, then the ones this answer adds (`Age`, `Cache-Status`): kept apart
    /// so that a hit shares the stored fields instead of copying them.
    var storedFields: HTTPFields { representation?.fields ?? fields }
    var addedFields: [HTTPField]
    /// The HTTP/1.1 status line and `storedFields` as bytes, when the answer is a stored
    /// representation (a hit on a complete response).
    var preparedHead: [UInt8]? { representation?.head }

    private var fields: HTTPFields
    /// The stored representation this answer sends, whose fields are derived only when asked for.
    private var representation: Representations.Variant?

    public init(status: HTTPResponse.Status, headerFields: HTTPFields, body: ByteBuffer) {
        self.init(status: status, storedFields: headerFields, addedFields: [], body: body)
    }

    init(status: HTTPResponse.Status, storedFields: HTTPFields, addedFields: [HTTPField], body: ByteBuffer) {
        self.status = status
        self.body = body
        self.fields = storedFields
        self.addedFields = addedFields
        self.representation = nil
    }

    /// A stored representation, with `body` (empty for a `HEAD`).
    init(
        status: HTTPResponse.Status, representation: Representations.Variant, addedFields: [HTTPField],
        body: ByteBuffer
    ) {
        self.status = status
        self.body = body
        self.fields = HTTPFields()
        self.addedFields = addedFields
        self.representation = representation
    }

    public var headerFields: HTTPFields {
        get {
            var fields = storedFields
            fields.append(contentsOf: addedFields)
            return fields
        }
        set {
            fields = newValue
            addedFields = []
            representation = nil
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
