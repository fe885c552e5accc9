import Foundation
import TestSupport
import Testing

@testable import ManifestBuilder

@Suite("Signing and verification")
struct SigningTests {
    let key = SigningKey()
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let day: TimeInterval = 86_400

    func signed(version: Int = 3, at time: Date? = nil) throws -> SignedManifest {
        let ws = workspace(storefront)
        let manifest = try #require(TestCatalog.compiler.compile(storefront, in: ws))
        return manifest.signed(version: version, publishedAt: time ?? now, validity: 7 * day, key: key)
    }

    var verifier: ManifestVerifier { ManifestVerifier(keys: [key.publicKey]) }

    @Test("a signed manifest verifies, and its stamp is in the signed bytes")
    func verifies() throws {
        let manifest = try signed()
        let verified = try verifier.verify(
            body: manifest.body, signature: manifest.signature, keyID: manifest.keyID,
            expectedWriteKey: "wk_store", highestSeenVersion: 3, now: now.addingTimeInterval(day))
        #expect(verified.version == 3)
        #expect(verified.contentHash == manifest.contentHash)
        #expect(verified.expiresAt == now.addingTimeInterval(7 * day))
        #expect(verified.document["delivery"]?["publishedAt"] == .string(ManifestTime.format(now)))
    }

    @Test("one changed byte breaks the signature")
    func tampered() throws {
        let manifest = try signed()
        var body = manifest.body
        let index = try #require(body.firstIndex(of: UInt8(ascii: "1")))
        body[index] = UInt8(ascii: "2")
        #expect(throws: ManifestVerificationError.badSignature) {
            try verifier.verify(body: body, signature: manifest.signature, keyID: manifest.keyID, now: now)
        }
    }

    @Test("a manifest signed by another key is refused")
    func otherKey() throws {
        let manifest = try signed()
        let other = ManifestVerifier(keys: [SigningKey().publicKey])
        #expect(throws: ManifestVerificationError.unknownKey(manifest.keyID)) {
            try other.verify(body: manifest.body, signature: manifest.signature, keyID: manifest.keyID, now: now)
        }
        var forged = other.keys.values.first!
        forged.keyID = manifest.keyID
        #expect(throws: ManifestVerificationError.badSignature) {
            try ManifestVerifier(keys: [forged]).verify(
                body: manifest.body, signature: manifest.signature, keyID: manifest.keyID, now: now)
        }
    }

    @Test("a version lower than one already seen is a rollback")
    func rollback() throws {
        let manifest = try signed(version: 2)
        #expect(throws: ManifestVerificationError.rollback(seen: 3, received: 2)) {
            try verifier.verify(
                body: manifest.body, signature: manifest.signature, keyID: manifest.keyID,
                highestSeenVersion: 3, now: now)
        }
    }

    @Test("an expired manifest is refused (freeze)")
    func expired() throws {
        let manifest = try signed()
        let later = now.addingTimeInterval(7 * day)
        #expect(throws: ManifestVerificationError.expired(expiresAt: later, now: later)) {
            try verifier.verify(body: manifest.body, signature: manifest.signature, keyID: manifest.keyID, now: later)
        }
    }

    @Test("a manifest for another write key is refused")
    func wrongWriteKey() throws {
        let manifest = try signed()
        #expect(throws: ManifestVerificationError.wrongWriteKey(expected: "wk_other", found: "wk_store")) {
            try verifier.verify(
                body: manifest.body, signature: manifest.signature, keyID: manifest.keyID,
                expectedWriteKey: "wk_other", now: now)
        }
    }

    @Test("key files round-trip and the public key names itself")
    func keyFiles() throws {
        let restored = try SigningKey(fileContents: key.fileContents())
        #expect(restored.publicKey == key.publicKey)
        let publicKey = try JSONDecoder().decode(PublicSigningKey.self, from: key.publicKey.fileContents())
        #expect(publicKey.keyID.count == 16)
        #expect(publicKey.algorithm == "Ed25519")
        #expect(throws: SigningKeyError.unreadable) { try SigningKey(fileContents: Data("{}".utf8)) }
    }

    @Test("the signature header round-trips, and garbage is refused")
    func signatureHeader() throws {
        let manifest = try signed()
        let parsed = try #require(SignedManifest.parseSignatureHeader(manifest.signatureHeaderValue))
        #expect(parsed.keyID == manifest.keyID)
        #expect(parsed.signature == manifest.signature)
        #expect(SignedManifest.parseSignatureHeader("keyid=abc, sig=:!!:") == nil)
        #expect(SignedManifest.parseSignatureHeader("") == nil)
    }
}
