import HTTPTypes
import ManifestBuilder

/// Header fields of the CDN world that HTTPTypes does not name.
extension HTTPField.Name {
    /// RFC 9213: cache directives for CDNs only.
    package static let cdnCacheControl = HTTPField.Name("CDN-Cache-Control")!
    /// Space-separated purge handles (Fastly's convention).
    package static let surrogateKey = HTTPField.Name("Surrogate-Key")!
    /// Edge Architecture Specification 1.0: the client is a surrogate (a cache), not a browser.
    package static let surrogateCapability = HTTPField.Name("Surrogate-Capability")!
    /// RFC 9211: how each cache on the way handled the request.
    package static let cacheStatus = HTTPField.Name("Cache-Status")!
    /// The Ed25519 signature of the body (`SignedManifest.signatureHeaderValue`).
    package static let manifestSignature = HTTPField.Name(SignedManifest.signatureHeaderName)!
    package static let manifestVersion = HTTPField.Name("Manifest-Version")!
}
