import Foundation
import HTTPTypes
import ManifestBuilder
import ManifestHTTP

/// The field parsers that read what an upstream or a client sends.
enum HTTPFieldFuzzing {
    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let directives = CacheDirectives(parsing: text)
        for value in [
            directives.maxAge, directives.sharedMaxAge, directives.staleIfError, directives.staleWhileRevalidate,
        ] {
            if let value { precondition(value >= 0, "a negative lifetime") }
        }
        if let date = HTTPDate.parse(text) {
            // A date we accept formats back to something we accept again, at the same instant.
            precondition(HTTPDate.parse(HTTPDate.format(date)) == date, "\(text) does not round-trip")
        }
        _ = EntityTag.ifNoneMatch(text, matches: "\"v1-abc\"")
        for tag in EntityTag.tags(in: text) { precondition(!tag.isEmpty, "an empty tag") }
        _ = SignedManifest.parseSignatureHeader(text)
        var fields = HTTPFields()
        if let value = HTTPField.Name("CDN-Cache-Control").map({ HTTPField(name: $0, value: text) }) {
            fields.append(value)
        }
        _ = CacheDirectives(fields)
    }
}
