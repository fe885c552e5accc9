import HTTPTypes
import ManifestBuilder

/// Header fields of the CDN world that HTTPTypes does not name.
extension HTTPField.Name {
    /// RFC 9213: cache directives for CDNs only.
    static let cdnCacheControl = HTTPField.Name("CDN-Cache-Control")!
    /// Space-separated purge handles (Fastly's convention).
    static let surrogateKey = HTTPField.Name("Surrogate-Key")!
    /// RFC 9211: how each cache on the way handled the request.
    static let cacheStatus = HTTPField.Name("Cache-Status")!
    /// The Ed25519 signature of the body (`SignedManifest.signatureHeaderValue`).
    static let manifestSignature = HTTPField.Name(SignedManifest.signatureHeaderName)!
    static let manifestVersion = HTTPField.Name("Manifest-Version")!
}
