import HTTPTypes
import ManifestHTTP
import NIOCore

/// The edge's answer.
public struct EdgeResponse: Sendable {
    public var status: HTTPResponse.Status
    /// The content sent (none for a `HEAD`).
    public var body: ByteBuffer {
        get {
            guard let representation else { return storedBody }
            return sendsContent ? representation.body : ByteBuffer()
        }
        set {
            detachFromRepresentation()
            storedBody = newValue
        }
    }
    /// The fields as stored, then the ones this answer adds (`Age`, `Cache-Status`): kept apart
    /// so that a hit shares the stored fields instead of copying them.
    var storedFields: HTTPFields { representation?.fields ?? fields }
    var addedFields: [HTTPField]
    /// The HTTP/1.1 status line and `storedFields` as bytes, when the answer is a stored
    /// representation (a hit on a complete response).
    var preparedHead: HTTP1Head.Prepared? { representation?.head }
    /// The stored representation's content, when the answer is one and sends it: copied by the
    /// HTTP/1.1 writer into the buffer that carries the head.
    var preparedContent: [UInt8]? { sendsContent ? representation?.content : nil }

    private var fields: HTTPFields
    private var storedBody: ByteBuffer
    /// The stored representation this answer sends, whose fields are derived only when asked for.
    private var representation: Representations.Variant?
    private var sendsContent = true

    public init(status: HTTPResponse.Status, headerFields: HTTPFields, body: ByteBuffer) {
        self.init(status: status, storedFields: headerFields, addedFields: [], body: body)
    }

    init(status: HTTPResponse.Status, storedFields: HTTPFields, addedFields: [HTTPField], body: ByteBuffer) {
        self.status = status
        self.storedBody = body
        self.fields = storedFields
        self.addedFields = addedFields
        self.representation = nil
    }

    /// A stored representation, with its content unless the request was a `HEAD`.
    init(
        status: HTTPResponse.Status, representation: Representations.Variant, addedFields: [HTTPField],
        sendsContent: Bool
    ) {
        self.status = status
        self.storedBody = ByteBuffer()
        self.fields = HTTPFields()
        self.addedFields = addedFields
        self.representation = representation
        self.sendsContent = sendsContent
    }

    public var headerFields: HTTPFields {
        get {
            var fields = storedFields
            fields.append(contentsOf: addedFields)
            return fields
        }
        set {
            detachFromRepresentation()
            fields = newValue
            addedFields = []
        }
    }

    /// Holds the representation's fields and content itself, before either is changed.
    private mutating func detachFromRepresentation() {
        guard let representation else { return }
        fields = representation.fields
        storedBody = sendsContent ? representation.body : ByteBuffer()
        self.representation = nil
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
