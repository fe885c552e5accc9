import Crypto
import Foundation
import SwiftASN1
import X509

/// A local certificate authority and a server certificate it issued, for demos and tests over
/// HTTPS: trust `ca.pem` in the browser or client, give `cert.pem` and `key.pem` to the server.
///
/// The CA is made once per directory and kept (`ca.pem`, `ca-key.pem`), so a browser that trusts
/// it keeps trusting the server certificates issued later; each call issues a new server
/// certificate for the hosts given (names, or IPv4/IPv6 addresses). Keys are ECDSA P-256. Never
/// use these outside development: the CA's key sits unencrypted beside the certificates.
public struct DevelopmentCertificates: Sendable {
    public var directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public var certificateAuthority: String { path("ca.pem") }
    public var files: TLSFiles { TLSFiles(certificateChain: path("cert.pem"), privateKey: path("key.pem")) }
    private var authorityKey: String { path("ca-key.pem") }

    /// Writes a server certificate valid for `hosts` from `now` for `days`, making the CA first
    /// if the directory has none.
    @discardableResult
    public func issue(hosts: [String], days: Int = 90, now: Date = Date()) throws -> TLSFiles {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let (authority, authorityKey) = try loadOrMakeAuthority(now: now)
        let key = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(key.publicKey)
        let name = try DistinguishedName { CommonName(hosts.first ?? "localhost") }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(Double(days) * 86400),
            issuer: authority.subject, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectKeyIdentifier(hash: publicKey)
                AuthorityKeyIdentifier(keyIdentifier: try authority.extensions.subjectKeyIdentifier?.keyIdentifier)
                SubjectAlternativeNames(hosts.map(Self.generalName))
            },
            issuerPrivateKey: Certificate.PrivateKey(authorityKey))
        try write(try certificate.serializeAsPEM().pemString, to: files.certificateChain)
        try write(key.pemRepresentation, to: files.privateKey, private: true)
        return files
    }

    private func loadOrMakeAuthority(now: Date) throws -> (Certificate, P256.Signing.PrivateKey) {
        if FileManager.default.fileExists(atPath: certificateAuthority),
            FileManager.default.fileExists(atPath: authorityKey)
        {
            let certificate = try Certificate(pemEncoded: String(contentsOfFile: certificateAuthority, encoding: .utf8))
            let key = try P256.Signing.PrivateKey(
                pemRepresentation: String(contentsOfFile: authorityKey, encoding: .utf8))
            return (certificate, key)
        }
        let key = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(key.publicKey)
        let name = try DistinguishedName {
            OrganizationName("manifest development")
            CommonName("manifest development CA \(Int(now.timeIntervalSince1970))")
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(3650 * 86400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: publicKey)
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
        try write(try certificate.serializeAsPEM().pemString, to: certificateAuthority)
        try write(key.pemRepresentation, to: authorityKey, private: true)
        return (certificate, key)
    }

    private static func generalName(_ host: String) -> GeneralName {
        if let address = IPAddressBytes(host) {
            return .ipAddress(ASN1OctetString(contentBytes: address.bytes[...]))
        }
        return .dnsName(host)
    }

    private func path(_ name: String) -> String {
        (directory as NSString).appendingPathComponent(name)
    }

    private func write(_ text: String, to path: String, private isPrivate: Bool = false) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        if isPrivate { try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path) }
    }
}
