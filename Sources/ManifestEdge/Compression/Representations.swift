import CompressNIO
import HTTPTypes
import ManifestHTTP
import NIOCore
import Synchronization

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
///
/// Identity on demand: once a gzip copy is held (checked to decode to the same bytes), the
/// identity bytes are let go. Browsers all accept gzip, so most entries never need them again,
/// and a cache of manifests holds about half the memory; a request that wants identity (or a
/// range, whose offsets count in it) has them decoded from gzip, and the cache keeps them from
/// then on (`holding(identity:)`), so clients that never compress pay the decoding once.
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
    /// The identity representation; its `content` is empty while `holdsIdentity` is false.
    private(set) var identity: Variant
    private(set) var encoded: [Variant]
    /// The codings `encoded` holds, for negotiation.
    private(set) var available: [ContentCoding]
    /// Whether `identity.content` holds the identity bytes, or they must be decoded from gzip.
    private(set) var holdsIdentity = true
    /// The identity content's length, held or not.
    let identityLength: Int
    /// Tells this content apart from any other response's: a decoded identity is kept only by
    /// the entry it was decoded from, not by one that replaced it meanwhile.
    let contentID: UInt64

    private static let nextContentID = Atomic<UInt64>(0)

    init(status: HTTPResponse.Status, fields: HTTPFields, body: ByteBuffer, codings: [ContentCoding]) {
        self.status = status
        identity = Variant(
            coding: nil, content: Array(body.readableBytesView), base: HTTPFields(), head: .init(shared: [], own: []))
        identityLength = body.readableBytes
        contentID = Self.nextContentID.add(1, ordering: .relaxed).newValue
        encoded = []
        available = []
        update(fields: fields)
        compress(with: codings, fields: fields)
    }

    /// Adds a copy in each of `codings` when the response is worth compressing (see the type's
    /// comment), and lets the identity bytes go once a gzip copy holds them.
    mutating func compress(with codings: [ContentCoding], fields: HTTPFields) {
        guard let content = identityContent() else { return }
        let encoded = Self.encoded(content, status: status, fields: fields, codings: codings)
        guard !encoded.isEmpty else { return }
        self.encoded = encoded
        available = encoded.compactMap(\.coding)
        if holdsIdentity, Self.decodedGzip(in: encoded, length: identityLength) == content {
            identity.content = []
            holdsIdentity = false
        }
        update(fields: fields)
    }

    /// The identity bytes: held, or decoded from the gzip copy (nil only if that copy is damaged,
    /// which the check before letting them go rules out).
    func identityContent() -> [UInt8]? {
        holdsIdentity ? identity.content : Self.decodedGzip(in: encoded, length: identityLength)
    }

    /// The same representations, holding the identity bytes `decoded` from them.
    func holding(identity decoded: [UInt8]) -> Representations {
        guard !holdsIdentity, decoded.count == identityLength else { return self }
        var copy = self
        copy.identity.content = decoded
        copy.holdsIdentity = true
        return copy
    }

    private static func decodedGzip(in encoded: [Variant], length: Int) -> [UInt8]? {
        guard let gzip = encoded.first(where: { $0.coding == .gzip }) else { return nil }
        var input = ByteBuffer(bytes: gzip.content)
        var output = ByteBuffer()
        output.reserveCapacity(length)
        guard (try? input.decompress(to: &output, with: .gzip())) != nil, output.readableBytes == length else {
            return nil
        }
        return Array(output.readableBytesView)
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
            own: HTTP1Head.own(status: status, fields: identityFields, contentLength: identityLength))
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

    /// The representation for a request's `Accept-Encoding`. Identity comes with its content
    /// decoded when it is not held, unless `withContent` is false (a `HEAD`, a 304).
    func select(acceptEncoding: String?, withContent: Bool = true) -> Variant {
        if let coding = ContentCoding.negotiate(acceptEncoding, available: available),
            let variant = encoded.first(where: { $0.coding == coding })
        {
            return variant
        }
        guard !holdsIdentity, withContent, let content = identityContent() else { return identity }
        var decoded = identity
        decoded.content = content
        return decoded
    }

    /// The content bytes held: the compressed copies, and identity when held.
    var heldBytes: Int {
        encoded.reduce(holdsIdentity ? identity.content.count : 0) { $0 + $1.content.count }
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
