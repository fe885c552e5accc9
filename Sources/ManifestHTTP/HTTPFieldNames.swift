import HTTPTypes
import ManifestBuilder

/// Header fields of the CDN world that HTTPTypes does not name.
extension HTTPField.Name {
    /// RFC 9213: cache directives for CDNs only.
    package static let cdnCacheControl = HTTPField.Name("CDN-Cache-Control")!
    /// Space-separated purge handles (Fastly's convention).
    package static let surrogateKey = HTTPField.Name("Surrogate-Key")!
    /// RFC 9211: how each cache on the way handled the request.
    package static let cacheStatus = HTTPField.Name("Cache-Status")!
    /// The Ed25519 signature of the body (`SignedManifest.signatureHeaderValue`).
    package static let manifestSignature = HTTPField.Name(SignedManifest.signatureHeaderName)!
    package static let manifestVersion = HTTPField.Name("Manifest-Version")!
}
