import Foundation
import HTTPTypes
import Hummingbird
import ManifestBuilder
import ManifestHTTP
import TestSupport
import Testing

@testable import ManifestOrigin

@Suite("Origin server on loopback, fetched with libcurl")
struct OriginServerTests {
    @Test("latest settings: 200 with validators, signature, cache directives and CORS; the body verifies")
    func latestSettings() async throws {
        let origin = try await PublishedOrigin.make()
        let manifest = try #require(try await origin.store.latest(writeKey: PublishedOrigin.writeKey))
        try await origin.serve { fetch in
            let response = try await fetch(PublishedOrigin.settingsPath)
            #expect(response.status == .ok)
            #expect(response.body == manifest.body)
            let fields = response.headerFields
            #expect(fields[.contentType] == "application/json")
            #expect(fields[.eTag] == "\"v1-\(manifest.contentHash.prefix(16))\"")
            #expect(fields[.init("Manifest-Version")!] == "1")
            #expect(fields[.lastModified] == "Fri, 15 Jan 2027 08:00:00 GMT")
            #expect(fields[.cacheControl] == "public, max-age=60")
            #expect(
                fields[.init("CDN-Cache-Control")!] == "max-age=1800, stale-while-revalidate=60, stale-if-error=86400")
            #expect(fields[.init("Surrogate-Key")!] == manifest.surrogateKeys.joined(separator: " "))
            #expect(fields[.init("Surrogate-Key")!]?.contains("writekey:\(PublishedOrigin.writeKey)") == true)
            Self.expectCORS(fields)

            let header = try #require(fields[.init(SignedManifest.signatureHeaderName)!])
            let (keyID, signature) = try #require(SignedManifest.parseSignatureHeader(header))
            let verified = try ManifestVerifier(keys: [origin.key.publicKey]).verify(
                body: response.body, signature: signature, keyID: keyID,
                expectedWriteKey: PublishedOrigin.writeKey, now: PublishedOrigin.start)
            #expect(verified.version == 1)
            guard case .object(let document) = verified.document, case .object? = document["integrations"] else {
                Issue.record("the body is not a settings document with an integrations object")
                return
            }
        }
    }

    @Test("If-None-Match with the ETag, in a list, as W/ or *: 304 without a body; a stale tag: 200")
    func conditionalSettings() async throws {
        let origin = try await PublishedOrigin.make()
        try await origin.serve { fetch in
            let first = try await fetch(PublishedOrigin.settingsPath)
            let eTag = try #require(first.headerFields[.eTag])
            for ifNoneMatch in [eTag, "\"v0-0000000000000000\", \(eTag)", "*", "W/\(eTag)", "\"a,b\",W/\(eTag)"] {
                let response = try await fetch(PublishedOrigin.settingsPath, headers: [.ifNoneMatch: ifNoneMatch])
                #expect(response.status == .notModified, "If-None-Match: \(ifNoneMatch)")
                #expect(response.body.isEmpty)
                #expect(response.headerFields[.contentType] == nil)
                // RFC 9110 §8.6: a 304 may only carry the Content-Length the 200 would have.
                #expect([nil, String(first.body.count)].contains(response.headerFields[.contentLength]))
                #expect(response.headerFields[.eTag] == eTag)
                #expect(response.headerFields[.lastModified] == first.headerFields[.lastModified])
                #expect(response.headerFields[.cacheControl] == "public, max-age=60")
                #expect(
                    response.headerFields[.init("CDN-Cache-Control")!]
                        == first.headerFields[.init("CDN-Cache-Control")!])
                #expect(
                    response.headerFields[.init("Manifest-Signature")!]
                        == first.headerFields[.init("Manifest-Signature")!])
                Self.expectCORS(response.headerFields)
            }
            let stale = try await fetch(
                PublishedOrigin.settingsPath, headers: [.ifNoneMatch: "\"v0-0000000000000000\""])
            #expect(stale.status == .ok)
            #expect(stale.body == first.body)
        }
    }

    @Test("HEAD returns the header fields of a GET and no body")
    func head() async throws {
        let origin = try await PublishedOrigin.make()
        try await origin.serve { fetch in
            let get = try await fetch(PublishedOrigin.settingsPath)
            let head = try await fetch(PublishedOrigin.settingsPath, method: .head)
            #expect(head.status == .ok)
            #expect(head.body.isEmpty)
            #expect(head.headerFields[.eTag] == get.headerFields[.eTag])
            #expect(head.headerFields[.contentLength] == String(get.body.count))
            #expect(head.headerFields[.init("Manifest-Signature")!] == get.headerFields[.init("Manifest-Signature")!])
            Self.expectCORS(head.headerFields)
        }
    }

    @Test("after two publishes, the versioned URL serves each version's bytes, immutable; latest is v2")
    func versions() async throws {
        let origin = try await PublishedOrigin.make()
        try await origin.publish(trackPages: false, at: PublishedOrigin.start.addingTimeInterval(60))
        try await origin.serve { fetch in
            for version in [1, 2] {
                let stored = try #require(
                    try await origin.store.manifest(writeKey: PublishedOrigin.writeKey, version: version))
                let response = try await fetch("\(PublishedOrigin.settingsPath)/v/\(version)")
                #expect(response.status == .ok)
                #expect(response.body == stored.body)
                #expect(response.headerFields[.eTag] == "\"v\(version)-\(stored.contentHash.prefix(16))\"")
                #expect(response.headerFields[.init("Manifest-Version")!] == String(version))
                #expect(response.headerFields[.cacheControl] == "public, max-age=31536000, immutable")
                #expect(response.headerFields[.init("CDN-Cache-Control")!] == "max-age=31536000")
                let (keyID, signature) = try #require(
                    response.headerFields[.init("Manifest-Signature")!].flatMap(SignedManifest.parseSignatureHeader))
                #expect(origin.key.publicKey.keyID == keyID)
                #expect(origin.key.publicKey.isValidSignature(signature, for: response.body))
            }
            let one = try await fetch("\(PublishedOrigin.settingsPath)/v/1")
            let two = try await fetch("\(PublishedOrigin.settingsPath)/v/2")
            #expect(one.body != two.body)
            let latest = try await fetch(PublishedOrigin.settingsPath)
            #expect(latest.body == two.body)
            #expect(latest.headerFields[.init("Manifest-Version")!] == "2")
            let revalidated = try await fetch(
                "\(PublishedOrigin.settingsPath)/v/1", headers: [.ifNoneMatch: try #require(one.headerFields[.eTag])])
            #expect(revalidated.status == .notModified)
            let missing = try await fetch("\(PublishedOrigin.settingsPath)/v/3")
            #expect(missing.status == .notFound)
            #expect(try Self.json(missing)["version"] == .int(3))
        }
    }

    @Test("bundles: the exact stub bytes as plain JavaScript, immutable, with SRI ETag; 304 on If-None-Match")
    func bundles() async throws {
        let origin = try await PublishedOrigin.make()
        try await origin.serve { fetch in
            for artifact in PublishedOrigin.bundles.artifacts.values {
                let response = try await fetch(artifact.path)
                #expect(response.status == .ok, "\(artifact.path)")
                #expect(response.body == artifact.bytes)
                #expect(response.headerFields[.contentType] == "application/javascript; charset=utf-8")
                #expect(response.headerFields[.contentEncoding] == nil)
                #expect(response.headerFields[.eTag] == "\"\(artifact.integrity)\"")
                #expect(response.headerFields[.cacheControl] == "public, max-age=31536000, immutable")
                #expect(response.headerFields[.init("CDN-Cache-Control")!] == "max-age=31536000")
                #expect(
                    response.headerFields[.init("Surrogate-Key")!] == "bundle destination:\(artifact.destinationID)")
                Self.expectCORS(response.headerFields)
                let again = try await fetch(artifact.path, headers: [.ifNoneMatch: "\"\(artifact.integrity)\""])
                #expect(again.status == .notModified)
                #expect(again.body.isEmpty)
            }
            #expect(PublishedOrigin.bundles.artifacts.values.contains { $0.path.hasSuffix(".dynamic.js.gz") })
            #expect(
                PublishedOrigin.bundles.artifacts.values.contains { $0.path.hasPrefix("/next-integrations/actions/") })
            let missing = try await fetch("/next-integrations/integrations/nope/1.0.0/nope.dynamic.js.gz")
            #expect(missing.status == .notFound)
            #expect(missing.headerFields[.contentType] == "application/json")
        }
    }

    @Test("the signing key is published as JSON")
    func signingKey() async throws {
        let origin = try await PublishedOrigin.make()
        try await origin.serve { fetch in
            let response = try await fetch("/.well-known/manifest-signing-key")
            #expect(response.status == .ok)
            #expect(response.headerFields[.contentType] == "application/json")
            #expect(response.headerFields[.cacheControl] == "public, max-age=300")
            #expect(try JSONDecoder().decode(PublicSigningKey.self, from: Data(response.body)) == origin.key.publicKey)
        }
    }

    @Test("unknown write key and unknown path: 404 JSON with short negative caching")
    func notFound() async throws {
        let origin = try await PublishedOrigin.make()
        try await origin.serve { fetch in
            let unknown = try await fetch("/v1/projects/wk_nobody/settings")
            #expect(unknown.status == .notFound)
            #expect(unknown.headerFields[.contentType] == "application/json")
            #expect(unknown.headerFields[.cacheControl] == "public, max-age=10")
            #expect(unknown.headerFields[.init("CDN-Cache-Control")!] == "max-age=10")
            #expect(unknown.headerFields[.init("Surrogate-Key")!] == "writekey:wk_nobody workspace:ws_origin")
            Self.expectCORS(unknown.headerFields)
            let body = try Self.json(unknown)
            #expect(body["writeKey"] == .string("wk_nobody"))
            guard case .string(let message)? = body["error"] else {
                Issue.record("no error message")
                return
            }
            #expect(message.contains("wk_nobody"))

            for path in ["/", "/v1/projects", "/v2/projects/\(PublishedOrigin.writeKey)/settings", "/favicon.ico"] {
                let response = try await fetch(path)
                #expect(response.status == .notFound, "\(path)")
                #expect(response.headerFields[.contentType] == "application/json")
                #expect(try Self.json(response)["error"] != nil)
                Self.expectCORS(response.headerFields)
            }
        }
    }

    @Test("a malformed write key or version is a 400 with a JSON error")
    func badRequests() async throws {
        let origin = try await PublishedOrigin.make()
        let long = String(repeating: "k", count: 129)
        try await origin.serve { fetch in
            for path in [
                "/v1/projects/bad%20key!/settings", "/v1/projects/\(long)/settings",
                "/v1/projects/wk.dot/settings/v/1", "\(PublishedOrigin.settingsPath)/v/0",
                "\(PublishedOrigin.settingsPath)/v/abc", "\(PublishedOrigin.settingsPath)/v/-1",
                "\(PublishedOrigin.settingsPath)/v/01", "\(PublishedOrigin.settingsPath)/v/99999999999999999999",
            ] {
                let response = try await fetch(path)
                #expect(response.status == .badRequest, "\(path)")
                #expect(response.headerFields[.contentType] == "application/json")
                #expect(try Self.json(response)["error"] != nil)
                Self.expectCORS(response.headerFields)
            }
            let ok = try await fetch("/v1/projects/\(String(repeating: "k", count: 128))/settings")
            #expect(ok.status == .notFound)
        }
    }

    @Test("other methods get 405 with Allow; OPTIONS is a CORS preflight; the server keeps answering")
    func methods() async throws {
        let origin = try await PublishedOrigin.make()
        try await origin.serve { fetch in
            for method in [HTTPRequest.Method.post, .put, .delete, .patch] {
                for path in [PublishedOrigin.settingsPath, "/nowhere"] {
                    let response = try await fetch(path, method: method)
                    #expect(response.status == .methodNotAllowed, "\(method) \(path)")
                    #expect(response.headerFields[.allow] == "GET, HEAD, OPTIONS")
                    #expect(response.headerFields[.contentType] == "application/json")
                    Self.expectCORS(response.headerFields)
                }
            }
            let preflight = try await fetch(
                PublishedOrigin.settingsPath, method: .options,
                headers: [
                    .origin: "https://shop.example", .accessControlRequestMethod: "GET",
                    .accessControlRequestHeaders: "if-none-match",
                ])
            #expect(preflight.status == .noContent)
            #expect(preflight.body.isEmpty)
            #expect(preflight.headerFields[.accessControlAllowMethods] == "GET, HEAD, OPTIONS")
            #expect(preflight.headerFields[.accessControlAllowHeaders] == "If-None-Match")
            Self.expectCORS(preflight.headerFields)

            let health = try await fetch("/healthz")
            #expect(health.status == .ok)
            #expect(String(decoding: health.body, as: UTF8.self) == "ok")
            #expect(try await fetch(PublishedOrigin.settingsPath).status == .ok)
        }
    }

    @Test("a failing store is a 503 JSON error, not a 500 or a crash")
    func storeFailure() async throws {
        let server = OriginController(store: FailingStore(), publicKey: SigningKey().publicKey)
        try await withLiveServer(server.makeRouter()) { port in
            let fetch = Fetcher(port: port)
            for path in [
                PublishedOrigin.settingsPath, "\(PublishedOrigin.settingsPath)/v/1",
                "/next-integrations/integrations/amplitude/2.92.0/amplitude.dynamic.js.gz",
            ] {
                let response = try await fetch(path)
                #expect(response.status == .serviceUnavailable, "\(path)")
                #expect(response.headerFields[.contentType] == "application/json")
                #expect(response.headerFields[.cacheControl] == "no-store")
                #expect(try Self.json(response)["error"] != nil)
                Self.expectCORS(response.headerFields)
            }
            #expect(try await fetch("/healthz").status == .ok)
        }
    }

    @Test("If-None-Match parsing: lists, weak tags, quoted commas, junk")
    func ifNoneMatchParsing() {
        let tag = "\"v2-0123456789abcdef\""
        #expect(EntityTag.ifNoneMatch(tag, matches: tag))
        #expect(EntityTag.ifNoneMatch("W/\(tag)", matches: tag))
        #expect(EntityTag.ifNoneMatch(" \"x\" ,\t\(tag)", matches: tag))
        #expect(EntityTag.ifNoneMatch("\"a,\(tag)\", \(tag)", matches: tag))
        #expect(EntityTag.ifNoneMatch("*", matches: tag))
        #expect(!EntityTag.ifNoneMatch("\"a,\(tag)\"", matches: tag))
        #expect(!EntityTag.ifNoneMatch("v2-0123456789abcdef", matches: tag))
        #expect(!EntityTag.ifNoneMatch("\"v2-0123456789abcdeX\", junk, \"unterminated", matches: tag))
        #expect(!EntityTag.ifNoneMatch("", matches: tag))
    }

    @Test("HTTP dates are IMF-fixdate in GMT")
    func httpDate() {
        #expect(HTTPDate.format(Date(timeIntervalSince1970: 784_111_777)) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == Date(timeIntervalSince1970: 784_111_777))
        #expect(HTTPDate.parse("yesterday") == nil)
    }

    private static func expectCORS(_ fields: HTTPFields, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(fields[.accessControlAllowOrigin] == "*", sourceLocation: sourceLocation)
        #expect(
            fields[.accessControlExposeHeaders] == "ETag, Manifest-Signature, Manifest-Version, Age, Cache-Status",
            sourceLocation: sourceLocation)
    }

    private static func json(_ response: CurlHTTPClient.Response) throws -> [String: JSONValue] {
        guard case .object(let members) = try JSONDecoder().decode(JSONValue.self, from: Data(response.body)) else {
            throw JSONShapeError()
        }
        return members
    }

    private struct JSONShapeError: Error {}
}

/// A store whose every read fails, as a lost database would.
private struct FailingStore: OriginStore {
    struct Lost: Error {}

    let publishSignals = PublishSignals(coversOtherProcesses: false)

    func append<Plan: Sendable>(
        writeKeys: [String]?, _ prepare: @escaping @Sendable ([String: PublishedHead]) throws -> (PublishBatch, Plan)
    ) async throws -> Plan { throw Lost() }
    func latest(writeKey: String) async throws -> SignedManifest? { throw Lost() }
    func manifest(writeKey: String, version: Int) async throws -> SignedManifest? { throw Lost() }
    func history(writeKey: String) async throws -> [ManifestVersionInfo] { throw Lost() }
    func bundle(path: String) async throws -> BundleArtifact? { throw Lost() }
    func events(after sequence: Int64, limit: Int) async throws -> [PublishEvent] { throw Lost() }
    func lastSequence() async throws -> Int64 { throw Lost() }
}
