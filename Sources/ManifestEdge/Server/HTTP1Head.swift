import HTTPTypes
import NIOCore

/// HTTP/1.1 response heads as bytes (RFC 9112 §4 and §5): a status line and one line per field.
///
/// The cache serialises a stored response's head once, when it stores the response
/// (`Prepared`), so that a hit copies bytes instead of writing every stored field again; the
/// fields of one answer (`Age`, `Cache-Status`) follow them.
enum HTTP1Head {
    /// A stored representation's head as bytes, in two parts: what all representations of the
    /// response share (the status line and most fields, one array for all of them) and this
    /// representation's own fields (`Content-Encoding`, `ETag`, `Content-Length`).
    struct Prepared: Sendable {
        var shared: [UInt8]
        var own: [UInt8]
        var count: Int { shared.count + own.count }
    }

    /// The fields that differ between the representations of one response.
    static let ownFields: [HTTPField.Name] = [.contentEncoding, .eTag, .contentLength]

    /// The part of a head every representation of a response with these identity `fields`
    /// shares, without the empty line that ends a head: as sent to a browser, without
    /// `Surrogate-Key` (`SurrogateKeys`).
    static func shared(status: HTTPResponse.Status, fields: HTTPFields) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeStatusLine(status)
        for field in fields where !ownFields.contains(field.name) && SurrogateKeys.sends(field.name, toSurrogate: false)
        {
            buffer.writeField(field)
        }
        return Array(buffer.readableBytesView)
    }

    /// A representation's own fields, from its `fields`: `Content-Length` is the content's own
    /// length, and absent for the statuses that have no content (RFC 9110 §8.6).
    static func own(status: HTTPResponse.Status, fields: HTTPFields, contentLength: Int) -> [UInt8] {
        var buffer = ByteBuffer()
        for name in ownFields where name != .contentLength {
            for value in fields[values: name] { buffer.writeField(HTTPField(name: name, value: value)) }
        }
        if mayHaveContent(status) {
            buffer.writeField(HTTPField(name: .contentLength, value: String(contentLength)))
        }
        return Array(buffer.readableBytesView)
    }

    /// The `Content-Length` an answer is sent with, for a body of `bodyLength` bytes: a body's own
    /// length, the stored field's when the body is left out (a `HEAD`), `0` for no content, and
    /// none for a status that has no content.
    static func contentLength(status: HTTPResponse.Status, bodyLength: Int, stored: String?) -> String? {
        guard mayHaveContent(status) else { return nil }
        if bodyLength > 0 { return String(bodyLength) }
        return stored ?? "0"
    }

    /// 1xx, 204 and 304 responses end with their head (RFC 9112 §6.3).
    static func mayHaveContent(_ status: HTTPResponse.Status) -> Bool {
        status.kind != .informational && status != .noContent && status != .notModified
    }
}

extension ByteBuffer {
    /// `HTTP/1.1 <code> <reason>` and a line end; the usual statuses from one static string.
    mutating func writeStatusLine(_ status: HTTPResponse.Status) {
        switch status {
        case .ok: writeStaticString("HTTP/1.1 200 OK\r\n")
        case .notModified: writeStaticString("HTTP/1.1 304 Not Modified\r\n")
        case .partialContent: writeStaticString("HTTP/1.1 206 Partial Content\r\n")
        case .notFound: writeStaticString("HTTP/1.1 404 Not Found\r\n")
        default:
            writeStaticString("HTTP/1.1 ")
            writeString(String(status.code))
            writeStaticString(" ")
            writeString(status.reasonPhrase)
            writeStaticString("\r\n")
        }
    }

    /// `<name>: <value>` and a line end. Names keep the case they arrived in.
    mutating func writeField(_ field: HTTPField) {
        writeString(field.name.rawName)
        writeStaticString(": ")
        writeString(field.value)
        writeStaticString("\r\n")
    }
}
