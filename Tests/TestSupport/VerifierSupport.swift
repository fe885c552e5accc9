import Foundation
import ManifestBuilder

extension ManifestVerifier {
    /// Whether the manifest verifies (signature, key, expiry) at `now`.
    package func isValid(_ manifest: SignedManifest, now: Date) -> Bool {
        (try? verify(body: manifest.body, signature: manifest.signature, keyID: manifest.keyID, now: now)) != nil
    }
}
