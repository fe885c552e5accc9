import CompressNIO
import Foundation
import HTTPTypes
import ManifestHTTP
import ManifestTLS
import NIOCore
import TestSupport
import Testing

@testable import ManifestEdge

/// HTTPS, HTTP/2 by ALPN and compressed hits, over loopback, with libcurl as the client (it
/// speaks both protocols and decodes both codings itself).
@Suite("Edge over HTTPS and HTTP/2")
struct HTTPSTests {
    static let document = String(repeating: #"{"integration":"Segment.io","settings":{"apiKey":"wk_1"}},"#, count: 40)

    @Test("ALPN picks h2; HTTP/1.1 over TLS is still served; both from one stored response")
    func alpn() async throws {
        try await withTLSEdge { edge in
            let h2 = try await edge.get()
            #expect(h2.majorVersion == 2)
            #expect(h2.status == .ok)
            #expect(h2.text == Self.document)
            let h1 = try await edge.get(version: .http1)
            #expect(h1.majorVersion == 1)
            #expect(h1.text == Self.document)
            #expect(h1.cacheStatus.contains("hit"))
            #expect(await edge.script.count("/v1/projects/a/settings") == 1)
        }
    }

    @Test(
        "HTTP/2 streams on one connection: content past the limit is read through (windows reopened), then 413; HEAD has GET's fields"
    )
    func http2Streams() async throws {
        try await withTLSEdge { edge in
            let authority = edge.certificates.certificateAuthority
            let tooLarge = try await edge.client.execute(
                .init(
                    method: .post, url: "https://127.0.0.1:\(edge.port)/v1/projects/a/settings",
                    body: [UInt8](repeating: 0x61, count: EdgeHTTPHandler.maxBodyBytes + 1), trustedCAFile: authority))
            #expect(tooLarge.majorVersion == 2)
            #expect(tooLarge.status == .contentTooLarge)
            let head = try await edge.client.execute(
                .init(
                    method: .head, url: "https://127.0.0.1:\(edge.port)/v1/projects/a/settings",
                    trustedCAFile: authority))
            #expect(head.majorVersion == 2)
            #expect(head.status == .ok)
            #expect(head.body.isEmpty)
            #expect(head.headerFields[.contentLength] == String(Self.document.utf8.count))
            let get = try await edge.get()
            #expect(get.text == Self.document)
            #expect(await edge.script.count("/v1/projects/a/settings") == 1)
        }
    }

    @Test(
        "Surrogate-Key goes only to a client that says it is a surrogate, over HTTP/2 and HTTP/1.1, on a miss and a hit; the edge says it is one upstream"
    )
    func surrogateKeys() async throws {
        try await withTLSEdge { edge in
            await edge.script.set("Surrogate-Key", "writekey:a workspace:w")
            let surrogate: HTTPFields = [.surrogateCapability: #"child="Surrogate/1.0""#]
            let miss = try await edge.get()
            #expect(miss.cacheStatus.contains("fwd=miss"))
            #expect(miss.headerFields[.surrogateKey] == nil)
            #expect(await edge.script.lastFields[.surrogateCapability] == #"manifest-edge="Surrogate/1.0""#)
            let otherMiss = try await edge.get("/v1/projects/b/settings", fields: surrogate, version: .http1)
            #expect(otherMiss.headerFields[.surrogateKey] == "writekey:a workspace:w")
            for version in [CurlHTTPClient.VersionPreference.negotiated, .http1] {
                let browser = try await edge.get(version: version)
                #expect(browser.cacheStatus.contains("hit"))
                #expect(browser.headerFields[.surrogateKey] == nil, "\(version)")
                #expect(browser.text == Self.document)
                let child = try await edge.get(fields: surrogate, version: version)
                #expect(child.cacheStatus.contains("hit"))
                #expect(child.headerFields[.surrogateKey] == "writekey:a workspace:w", "\(version)")
                #expect(child.text == Self.document)
            }
        }
    }

    @Test("the client verifies the edge: an unknown CA and a certificate for another name are refused")
    func verification() async throws {
        try await withTLSEdge { edge in
            await #expect(performing: { try await edge.get(trusting: .system) }, throws: CurlError.isPeerNotVerified)
            // The same CA, but a certificate for another name.
            let files = try edge.certificates.issue(hosts: ["other.test"])
            #expect(files == edge.tls.files)
            try edge.tls.reload()
            await #expect(
                performing: { try await edge.get(client: TLSEdge.freshClient()) }, throws: CurlError.isPeerNotVerified)
        }
    }

    @Test("a reload serves new connections the new certificate; an open connection keeps its own")
    func reload() async throws {
        try await withTLSEdge { edge in
            let before = try await edge.get()  // leaves a kept-alive connection in edge.client
            #expect(before.status == .ok)
            let other = try TemporaryDirectory("manifest-tls-renewed")
            defer { other.remove() }
            let renewed = DevelopmentCertificates(directory: other.url.path)
            let renewedFiles = try renewed.issue(hosts: ["127.0.0.1"])
            try Self.copy(renewedFiles, over: edge.tls.files)
            try edge.tls.reload()

            let fresh = try await edge.get(
                trusting: .file(renewed.certificateAuthority), client: TLSEdge.freshClient())
            #expect(fresh.status == .ok)
            await #expect(
                performing: { try await edge.get(client: TLSEdge.freshClient()) }, throws: CurlError.isPeerNotVerified)
            let open = try await edge.get()
            #expect(open.status == .ok)
            #expect(open.text == Self.document)
        }
    }

    @Test("a reload that cannot load the files throws, names the file, and keeps the certificate in use")
    func failedReload() async throws {
        try await withTLSEdge { edge in
            try Data("not a certificate".utf8).write(to: URL(fileURLWithPath: edge.tls.files.certificateChain))
            #expect {
                try edge.tls.reload()
            } throws: { error in
                "\(error)".hasPrefix(edge.tls.files.certificateChain)
            }
            let answer = try await edge.get(client: TLSEdge.freshClient())
            #expect(answer.status == .ok)
        }
    }

    @Test("a compressed hit decompresses to the stored bytes: br and gzip by Accept-Encoding, identity without")
    func compressedHits() async throws {
        try await withTLSEdge { edge in
            let identity = try await edge.get()
            #expect(identity.headerFields[.contentEncoding] == nil)
            #expect(identity.headerFields[.vary] == "Accept-Encoding")
            #expect(identity.headerFields[.eTag] == "\"v1\"")
            for (accepted, coding) in [("gzip", "gzip"), ("br", "br"), ("", "br"), ("gzip, br;q=0.5", "gzip")] {
                let answer = try await edge.get(acceptEncoding: accepted)
                #expect(answer.headerFields[.contentEncoding] == coding, "Accept-Encoding: \(accepted)")
                #expect(answer.text == Self.document, "decoded by libcurl, Accept-Encoding: \(accepted)")
                #expect(answer.headerFields[.vary] == "Accept-Encoding")
                #expect(answer.headerFields[.eTag] == "W/\"v1\"")
            }
            // The bytes on the wire, decoded here by zlib rather than by libcurl.
            let raw = try await edge.get(fields: [.acceptEncoding: "gzip"])
            #expect(raw.body.count < Self.document.utf8.count / 4)
            #expect(raw.headerFields[.contentLength] == String(raw.body.count))
            var compressed = ByteBuffer(bytes: raw.body)
            let decoded = try compressed.decompress(with: .gzip())
            #expect(String(buffer: decoded) == Self.document)
            #expect(await edge.script.count("/v1/projects/a/settings") == 1)
        }
    }

    @Test("RFC 9110 §13.1.2: the compressed representation's weak tag revalidates; a range is of the identity bytes")
    func validatorsAndRanges() async throws {
        try await withTLSEdge { edge in
            let compressed = try await edge.get(acceptEncoding: "gzip")
            let tag = try #require(compressed.headerFields[.eTag])
            let revalidated = try await edge.get(fields: [.ifNoneMatch: tag, .acceptEncoding: "gzip"])
            #expect(revalidated.status == .notModified)
            #expect(revalidated.headerFields[.eTag] == tag)
            #expect(revalidated.headerFields[.vary] == "Accept-Encoding")
            let range = try await edge.get(fields: [.range: "bytes=0-9", .acceptEncoding: "gzip"])
            #expect(range.status == .partialContent)
            #expect(range.headerFields[.contentEncoding] == nil)
            #expect(range.text == String(Self.document.prefix(10)))
        }
    }

    private static func copy(_ files: TLSFiles, over target: TLSFiles) throws {
        for (from, to) in [(files.certificateChain, target.certificateChain), (files.privateKey, target.privateKey)] {
            try Data(contentsOf: URL(fileURLWithPath: from)).write(to: URL(fileURLWithPath: to))
        }
    }
}

/// An edge serving TLS with a certificate from a fresh development CA, in front of a scripted
/// origin whose settings document is large enough to compress.
func withTLSEdge(_ body: @Sendable (TLSEdge) async throws -> Void) async throws {
    let directory = try TemporaryDirectory("manifest-tls")
    defer { directory.remove() }
    let certificates = DevelopmentCertificates(directory: directory.url.path)
    let tls = try ServerTLSContext(files: try certificates.issue(hosts: ["localhost", "127.0.0.1"]))
    let script = OriginScript()
    await script.setBody(HTTPSTests.document)
    try await withLiveServer(responder: ScriptedOrigin(script: script)) { originPort in
        let cache = EdgeCache(
            upstream: CurlUpstream(baseURL: "http://127.0.0.1:\(originPort)", timeout: .seconds(30)),
            configuration: EdgeConfiguration(name: "tls-edge"), logger: .test)
        try await withEdgeServer(EdgeResponder(cache: cache, purgeToken: "t"), tls: tls) { port in
            try await body(TLSEdge(port: port, certificates: certificates, tls: tls, script: script))
        }
    }
}

extension CurlError {
    /// libcurl's CURLE_PEER_FAILED_VERIFICATION: the certificate chain or name did not verify
    /// (not a timeout, not a refused connection).
    @Sendable static func isPeerNotVerified(_ error: any Error) -> Bool {
        (error as? CurlError)?.code == 60
    }
}

struct TLSEdge: Sendable {
    let port: Int
    let certificates: DevelopmentCertificates
    let tls: ServerTLSContext
    let script: OriginScript
    /// Keeps its connections between requests, as a browser does.
    let client = TLSEdge.freshClient()

    /// A client with no connection open yet: its first request makes a new TLS handshake.
    static func freshClient() -> CurlHTTPClient {
        CurlHTTPClient(configuration: .init(timeout: .seconds(30), connectTimeout: .seconds(30)))
    }

    enum Trust {
        case development, system
        case file(String)
    }

    /// GET over HTTPS, trusting the development CA unless told otherwise.
    func get(
        _ path: String = "/v1/projects/a/settings", fields: HTTPFields = [:], acceptEncoding: String? = nil,
        version: CurlHTTPClient.VersionPreference = .negotiated, trusting: Trust = .development,
        client: CurlHTTPClient? = nil
    ) async throws -> CurlHTTPClient.Response {
        let authority: String? =
            switch trusting {
            case .development: certificates.certificateAuthority
            case .system: nil
            case .file(let path): path
            }
        return try await (client ?? self.client).execute(
            .init(
                url: "https://127.0.0.1:\(port)\(path)", headerFields: fields, trustedCAFile: authority,
                acceptEncoding: acceptEncoding, version: version))
    }
}
