import HTTPTypes
import ManifestHTTP
import NIOCore

/// A stored response as the edge sends it: identity, and when it is worth compressing, the same
/// content compressed once per coding when stored, so that a hit only chooses (RFC 9110 §12.5.3).
///
/// A compressible response is sent with `Vary: Accept-Encoding` in every representation, so that
/// caches downstream keep them apart; the compressed ones carry `Content-Encoding`, their own
/// `Content-Length`, and a weak `ETag` (the bytes differ, the content does not: RFC 9110
/// §8.8.3), which still matches the identity's tag in `If-None-Match`. The stored fields the
/// cache reasons with (its own `Vary` key among them) are not changed.
///
/// Compressed: 200 responses of at least `minimumLength` bytes of JSON, JavaScript, text or
/// SVG, without a `Content-Encoding` of their own and without `Cache-Control: no-transform`.
struct Representations: Sendable {
    /// One representation. Its fields are derived from the identity's when asked for (a 304, an
    /// HTTP/2 answer), not stored: every representation shares one copy of the stored fields,
    /// and a hit over HTTP/1.1 only needs `head` and `content`.
    ///
    /// Bytes are held in arrays of their exact size: NIO rounds a buffer's capacity up to a power
    /// of two, which for a cache of small documents would waste a quarter of its memory. A hit
    /// copies them into the buffer it writes.
    struct Variant: Sendable {
        var coding: ContentCoding?
        /// The content, in `coding`.
        var content: [UInt8]
        /// The identity representation's fields.
        fileprivate var base: HTTPFields
        /// The HTTP/1.1 status line and `fields`, serialised once rather than on every hit.
        var head: HTTP1Head.Prepared

        var fields: HTTPFields {
            guard let coding else { return base }
            return Representations.encodedFields(base, coding: coding, length: content.count)
        }

        /// The content in a buffer of its own.
        var body: ByteBuffer { ByteBuffer(bytes: content) }
    }

    static let minimumLength = 256

    private let status: HTTPResponse.Status
    private(set) var identity: Variant
    private(set) var encoded: [Variant]
    /// The codings `encoded` holds, for negotiation.
    private(set) var available: [ContentCoding]

    init(status: HTTPResponse.Status, fields: HTTPFields, body: ByteBuffer, codings: [ContentCoding]) {
        self.status = status
        identity = Variant(
            coding: nil, content: Array(body.readableBytesView), base: HTTPFields(), head: .init(shared: [], own: []))
        encoded = Self.encoded(identity.content, status: status, fields: fields, codings: codings)
        available = encoded.compactMap(\.coding)
        update(fields: fields)
    }

    /// Adds a copy in each of `codings` when the response is worth compressing (see the type's
    /// comment); the identity bytes and head stay as they are.
    mutating func compress(with codings: [ContentCoding], fields: HTTPFields) {
        let encoded = Self.encoded(identity.content, status: status, fields: fields, codings: codings)
        guard !encoded.isEmpty else { return }
        self.encoded = encoded
        available = encoded.compactMap(\.coding)
        update(fields: fields)
    }

    private static func encoded(
        _ content: [UInt8], status: HTTPResponse.Status, fields: HTTPFields, codings: [ContentCoding]
    ) -> [Variant] {
        guard !codings.isEmpty, compressible(status: status, fields: fields, length: content.count) else { return [] }
        let body = ByteBuffer(bytes: content)
        return codings.compactMap { coding in
            Compressor.compress(body, with: coding).map {
                Variant(coding: coding, content: $0, base: HTTPFields(), head: .init(shared: [], own: []))
            }
        }
    }

    /// New stored fields (a revalidation's 304): the bodies stay, the fields are derived again.
    mutating func update(fields: HTTPFields) {
        var identityFields = fields
        if !available.isEmpty { Self.addVaryAcceptEncoding(&identityFields) }
        // One array of the fields all representations share, each with its own few after it.
        let shared = HTTP1Head.shared(status: status, fields: identityFields)
        identity.base = identityFields
        identity.head = HTTP1Head.Prepared(
            shared: shared,
            own: HTTP1Head.own(status: status, fields: identityFields, contentLength: identity.content.count))
        for index in encoded.indices {
            encoded[index].base = identityFields
            let own = HTTP1Head.own(
                status: status, fields: encoded[index].fields, contentLength: encoded[index].content.count)
            encoded[index].head = HTTP1Head.Prepared(shared: shared, own: own)
        }
    }

    /// A compressed representation's fields: the identity's, with its coding, its own length and
    /// the weak form of the tag.
    static func encodedFields(_ identity: HTTPFields, coding: ContentCoding, length: Int) -> HTTPFields {
        var fields = identity
        fields[.contentEncoding] = coding.rawValue
        fields[.contentLength] = String(length)
        if let tag = fields[.eTag], !tag.hasPrefix("W/") { fields[.eTag] = "W/" + tag }
        return fields
    }

    /// The representation for a request's `Accept-Encoding`.
    func select(acceptEncoding: String?) -> Variant {
        guard let coding = ContentCoding.negotiate(acceptEncoding, available: available) else { return identity }
        return encoded.first { $0.coding == coding } ?? identity
    }

    /// The bytes the compressed representations add to the stored response.
    var encodedBytes: Int {
        encoded.reduce(0) { $0 + $1.content.count }
    }

    /// Whether a response is worth compressing at all (see the type's comment).
    static func compressible(status: HTTPResponse.Status, fields: HTTPFields, length: Int) -> Bool {
        guard status == .ok, length >= minimumLength, fields[.contentEncoding] == nil,
            !CacheDirectives(parsing: fields[values: .cacheControl].joined(separator: ",")).noTransform,
            let type = fields[.contentType]?.lowercased()
        else { return false }
        let mediaType = type.split(separator: ";").first.map { $0.trimmingCharacters(in: [" ", "\t"]) } ?? ""
        return mediaType.hasPrefix("text/") || mediaType.hasSuffix("+json") || mediaType.hasSuffix("/json")
            || mediaType.hasSuffix("/javascript") || mediaType == "image/svg+xml"
    }

    private static func addVaryAcceptEncoding(_ fields: inout HTTPFields) {
        let listed = fields[values: .vary].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: [" ", "\t"]).lowercased() }
        guard !listed.contains("*"), !listed.contains("accept-encoding") else { return }
        fields[.vary] = (listed.isEmpty ? "" : fields[values: .vary].joined(separator: ", ") + ", ") + "Accept-Encoding"
    }
}
