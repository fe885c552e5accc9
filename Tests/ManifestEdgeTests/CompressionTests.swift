import CompressNIO
import HTTPTypes
import NIOCore
import Testing

@testable import ManifestEdge

@Suite("Compressed representations")
struct CompressionTests {
    static let both: [ContentCoding] = [.br, .gzip]

    @Test(
        "RFC 9110 §12.5.3: Accept-Encoding chooses the coding",
        arguments: [
            (nil, both, nil),
            ("", both, nil),
            ("identity", both, nil),
            ("gzip", both, .gzip),
            ("x-gzip", both, .gzip),
            ("GZIP", both, .gzip),
            ("gzip, deflate, br, zstd", both, .br),
            ("br;q=0.5, gzip", both, .gzip),
            ("br ; q=1 , gzip;q=1", both, .br),
            ("gzip;q=0", both, nil),
            ("*", both, .br),
            ("*;q=0.5, br;q=0", both, .gzip),
            ("gzip;q=0, *", both, .br),
            ("br;q=abc, gzip", both, .gzip),
            ("br;q=2, gzip", both, .gzip),
            ("br", [.gzip], nil),
            ("gzip, br", [], nil),
        ] as [(String?, [ContentCoding], ContentCoding?)])
    func negotiation(accepted: String?, available: [ContentCoding], expected: ContentCoding?) {
        #expect(ContentCoding.negotiate(accepted, available: available) == expected)
    }

    static let json = String(repeating: #"{"name":"Amplitude","enabled":true},"#, count: 20)
    static let fields: HTTPFields = [.contentType: "application/json", .eTag: "\"v7\"", .cacheControl: "max-age=60"]

    @Test("a compressible response: Vary on every representation, weak tags and own lengths on the compressed ones")
    func compressedFields() throws {
        let stored = Representations(
            status: .ok, fields: Self.fields, body: ByteBuffer(string: Self.json), codings: Self.both)
        #expect(stored.available == [.br, .gzip])
        #expect(stored.identity.fields[.vary] == "Accept-Encoding")
        #expect(stored.identity.fields[.eTag] == "\"v7\"")
        let gzip = stored.select(acceptEncoding: "gzip")
        #expect(gzip.fields[.contentEncoding] == "gzip")
        #expect(gzip.fields[.eTag] == "W/\"v7\"")
        #expect(gzip.fields[.contentLength] == String(gzip.body.readableBytes))
        let head = String(decoding: gzip.head.shared + gzip.head.own, as: UTF8.self)
        #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(head.contains("\r\nVary: Accept-Encoding\r\n"))
        #expect(head.contains("\r\nContent-Encoding: gzip\r\nETag: W/\"v7\"\r\n"))
        #expect(head.hasSuffix("\r\nContent-Length: \(gzip.body.readableBytes)\r\n"))
        // One array of shared fields for every representation.
        let address = { (bytes: [UInt8]) in bytes.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } }
        #expect(address(gzip.head.shared) == address(stored.identity.head.shared))
        var body = gzip.body
        #expect(String(buffer: try body.decompress(with: .gzip())) == Self.json)
        #expect(stored.select(acceptEncoding: "br").fields[.contentEncoding] == "br")
        // Stored without the encoders' worst-case slack (more than the input), nor NIO's rounding
        // up to a power of two: each copy is held in an array of its own size.
        for coding in ["gzip", "br", "identity"] {
            let content = stored.select(acceptEncoding: coding).content
            #expect(content.capacity < content.count + 32, "\(coding)")
        }
        #expect(stored.select(acceptEncoding: nil).body == ByteBuffer(string: Self.json))
    }

    @Test("a hit chooses among bodies compressed when stored: the same bytes every time, nothing compressed again")
    func compressedOnce() {
        let stored = Representations(
            status: .ok, fields: Self.fields, body: ByteBuffer(string: Self.json), codings: Self.both)
        let first = stored.select(acceptEncoding: "gzip").content
        let second = stored.select(acceptEncoding: "gzip").content
        let address = { (bytes: [UInt8]) in bytes.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } }
        #expect(address(first) == address(second))
    }

    @Test("an existing Vary is kept and extended; Vary: * is left alone")
    func varyMerge() {
        var fields = Self.fields
        fields[.vary] = "Accept-Language"
        let merged = Representations(
            status: .ok, fields: fields, body: ByteBuffer(string: Self.json), codings: Self.both)
        #expect(merged.identity.fields[.vary] == "Accept-Language, Accept-Encoding")
        fields[.vary] = "accept-encoding"
        let listed = Representations(
            status: .ok, fields: fields, body: ByteBuffer(string: Self.json), codings: Self.both)
        #expect(listed.identity.fields[.vary] == "accept-encoding")
        fields[.vary] = "*"
        let star = Representations(status: .ok, fields: fields, body: ByteBuffer(string: Self.json), codings: Self.both)
        #expect(star.identity.fields[.vary] == "*")
    }

    @Test(
        "RFC 9110 §7.7 no-transform, an encoded body, a small one, another status or type: identity only",
        arguments: [
            (HTTPResponse.Status.ok, [HTTPField.Name.cacheControl: "max-age=60, no-transform"], 1),
            (.ok, [.contentEncoding: "gzip"], 1),
            (.ok, [:], 0),
            (.notFound, [:], 1),
            (.ok, [.contentType: "image/png"], 1),
        ] as [(HTTPResponse.Status, [HTTPField.Name: String], Int)])
    func notCompressed(status: HTTPResponse.Status, changes: [HTTPField.Name: String], repeats: Int) {
        var fields = Self.fields
        for (name, value) in changes { fields[name] = value }
        let body = repeats == 0 ? "{}" : Self.json
        let stored = Representations(status: status, fields: fields, body: ByteBuffer(string: body), codings: Self.both)
        #expect(stored.available.isEmpty)
        #expect(stored.identity.fields[.vary] == nil)
        #expect(stored.select(acceptEncoding: "gzip, br").fields[.contentEncoding] == changes[.contentEncoding])
    }

    @Test("identity on demand: let go once gzip holds it, decoded for a request that wants it, kept once asked")
    func identityOnDemand() throws {
        let stored = Representations(
            status: .ok, fields: Self.fields, body: ByteBuffer(string: Self.json), codings: Self.both)
        #expect(!stored.holdsIdentity)
        #expect(stored.identity.content.isEmpty)
        #expect(stored.heldBytes == stored.encoded.reduce(0) { $0 + $1.content.count })
        #expect(stored.heldBytes < Self.json.utf8.count / 4)
        // Decoded, with the identity's own head: its length, its strong tag, no Content-Encoding.
        let identity = stored.select(acceptEncoding: nil)
        #expect(identity.coding == nil)
        #expect(identity.content == Array(Self.json.utf8))
        let head = String(decoding: identity.head.shared + identity.head.own, as: UTF8.self)
        #expect(head.contains("\r\nETag: \"v7\"\r\n"))
        #expect(head.hasSuffix("\r\nContent-Length: \(Self.json.utf8.count)\r\n"))
        #expect(!head.contains("Content-Encoding"))
        // A HEAD or a 304 needs no content, so nothing is decoded for it.
        #expect(stored.select(acceptEncoding: nil, withContent: false).content.isEmpty)
        let kept = stored.holding(identity: identity.content)
        #expect(kept.holdsIdentity)
        #expect(kept.heldBytes == stored.heldBytes + Self.json.utf8.count)
        #expect(kept.select(acceptEncoding: "identity").content == Array(Self.json.utf8))
        #expect(kept.contentID == stored.contentID)
        // Bytes of another length are not this content's: refused.
        #expect(!stored.holding(identity: [1, 2, 3]).holdsIdentity)
    }

    @Test("without a gzip copy to decode from (br only, or nothing compressed) the identity bytes stay")
    func identityKeptWithoutGzip() {
        let brotli = Representations(
            status: .ok, fields: Self.fields, body: ByteBuffer(string: Self.json), codings: [.br])
        #expect(brotli.available == [.br])
        #expect(brotli.holdsIdentity)
        #expect(brotli.identity.content == Array(Self.json.utf8))
        let none = Representations(status: .ok, fields: Self.fields, body: ByteBuffer(string: Self.json), codings: [])
        #expect(none.holdsIdentity)
        #expect(none.heldBytes == Self.json.utf8.count)
    }

    @Test("new stored fields (a 304's) are applied to every representation; the bodies stay")
    func update() {
        var stored = Representations(
            status: .ok, fields: Self.fields, body: ByteBuffer(string: Self.json), codings: Self.both)
        let before = stored.select(acceptEncoding: "br").body
        var fields = Self.fields
        fields[.eTag] = "\"v8\""
        stored.update(fields: fields)
        #expect(stored.select(acceptEncoding: "br").fields[.eTag] == "W/\"v8\"")
        #expect(stored.select(acceptEncoding: "br").body == before)
        #expect(stored.identity.fields[.eTag] == "\"v8\"")
    }
}
