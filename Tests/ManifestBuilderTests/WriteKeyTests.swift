import Foundation
import TestSupport
import Testing

@testable import ManifestBuilder

@Suite("Write keys: one definition for the rules, the store and the origin")
struct WriteKeyTests {
    static let refused = [
        "a/b", "..", "wk..x/../y", "nul\u{0}key", "with space", "quote\"d", "it's", "100%", "emoji😀",
        "\u{FEFF}bom", String(repeating: "k", count: WriteKey.maxLength + 1),
        String(repeating: "x", count: 10 << 20),
    ]

    @Test("the alphabet is [A-Za-z0-9_-] and the length 1 to 128")
    func alphabet() {
        #expect(WriteKey.isValid("wk_acme-Web_09"))
        #expect(WriteKey.isValid(String(repeating: "k", count: WriteKey.maxLength)))
        #expect(!WriteKey.isValid(""))
        for key in Self.refused { #expect(!WriteKey.isValid(key), "\(key.prefix(20).debugDescription)") }
    }

    @Test("W3: validate refuses every write key the origin would refuse, with its path")
    func ruleW3() {
        for key in Self.refused {
            var web = source("web", .web, [])
            web.writeKey = key
            let report = TestCatalog.rules.validate(workspace(web))
            #expect(report.errorRules == [.w3], "\(key.prefix(20).debugDescription)")
            #expect(report.errors.first?.path == "$.sources[0].writeKey")
            #expect((report.errors.first?.message.utf8.count ?? .max) < 400, "the message does not repeat the key")
        }
    }

    @Test("an empty write key stays W1, not W3")
    func emptyIsW1() {
        var web = source("web", .web, [])
        web.writeKey = ""
        #expect(TestCatalog.rules.validate(workspace(web)).errorRules == [.w1])
    }

    @Test("the SQLite store refuses to append a manifest for an invalid write key")
    func storeRefuses() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteOriginStore(path: directory.file("origin.sqlite").path)
        let publisher = Publisher(compiler: TestCatalog.compiler, key: SigningKey(), store: store)
        let web = source("web", .web, [instance("amp", "Amplitude", .device)])
        _ = try await publisher.publish(workspace(web), now: Date(timeIntervalSince1970: 1_800_000_000))
        var manifest = try #require(try await store.latest(writeKey: web.writeKey))
        manifest.writeKey = "../etc"
        let bad = manifest
        await #expect(throws: OriginStoreError.invalidWriteKey("../etc")) {
            try await store.append(writeKeys: [bad.writeKey]) { _ in (PublishBatch(manifests: [bad]), ()) }
        }
        #expect(try await store.history(writeKey: "../etc").isEmpty)
    }
}
