import Foundation
import TestSupport
import Testing

@testable import ManifestBuilder

@Suite("Manifest compiler")
struct ManifestCompilerTests {
    let compiler = TestCatalog.compiler
    let ws = workspace(
        storefront,
        source(
            "app", .mobile,
            [
                instance(
                    "amp-app", "Amplitude", .device, settings: ["apiKey": "app-public", "secretKey": "app-SECRET"]),
                instance("braze-app", "Braze Cloud Mode (Actions)", .device, settings: ["apiKey": "braze-app-public"]),
            ]), source("srv", .server, [instance("srv-hook", "Webhooks", .cloud)]))

    func compiled(_ id: String) throws -> JSONValue {
        let source = try #require(ws.source(id: id))
        let manifest = try #require(compiler.compile(source, in: ws))
        return try decodeJSON(CanonicalJSON.encode(manifest.content))
    }

    @Test("the Segment.io entry carries the write key, ingestion host and cloud-mode names")
    func segmentEntry() throws {
        let segment = try #require(try compiled("store")["integrations"]?["Segment.io"])
        #expect(segment["apiKey"] == "wk_store")
        #expect(segment["apiHost"] == .string(Workspace.defaultIngestionHost))
        #expect(segment["unbundledIntegrations"] == ["Amplitude North America", "Order Hook"])
        #expect(
            segment["maybeBundledConfigIds"] == ["Amplitude": ["amp-device"], "Braze Web Mode (Actions)": ["braze"]])
    }

    @Test("a device-mode classic instance carries its public settings and browser versionSettings")
    func classicDevice() throws {
        let amplitude = try #require(try compiled("store")["integrations"]?["Amplitude"])
        #expect(
            amplitude == [
                "apiKey": "amp-public", "trackPages": true,
                "versionSettings": ["version": "1.0.0", "componentTypes": ["browser"]],
                "bundlingStatus": "bundled", "type": "browser",
            ])
    }

    @Test("cloud-mode instances are listed unbundled, without settings")
    func cloudMode() throws {
        let integrations = try #require(try compiled("store")["integrations"])
        #expect(integrations["Amplitude North America"] == ["bundlingStatus": "unbundled"])
        #expect(integrations["Order Hook"] == ["bundlingStatus": "unbundled"])
    }

    @Test("a device-mode Actions instance is a remote plugin with a content-addressed URL")
    func actionsDevice() throws {
        let document = try compiled("store")
        let plugin = try #require(document["remotePlugins"]?[0])
        let artifact = try #require(TestCatalog.bundles["braze web mode (actions)"])
        #expect(plugin["name"] == "Braze Web Mode (Actions)")
        #expect(plugin["creationName"] == "Braze EU")
        #expect(plugin["libraryName"] == "dirDestination")
        #expect(plugin["url"] == .string(TestCatalog.cdnBase + artifact.path))
        #expect(plugin["settings"] == ["apiKey": "braze-public"])
        #expect(artifact.path.hasPrefix("/next-integrations/actions/dir/"))
        // Its integrations entry is not loadable as a classic destination.
        #expect(document["integrations"]?["Braze EU"]?["versionSettings"]?["componentTypes"] == [])
        #expect(document["integrations"]?["Braze EU"]?["type"] == nil)
    }

    @Test("bundles are listed with their SRI hash")
    func bundleIntegrity() throws {
        let bundles = try #require(try compiled("store")["delivery"]?["bundles"])
        let classic = try #require(TestCatalog.bundles["amplitude"])
        #expect(classic.path == "/next-integrations/integrations/amplitude/1.0.0/amplitude.dynamic.js.gz")
        #expect(
            bundles[0] == [
                "instance": "Amplitude", "destination": "Amplitude",
                "url": .string(TestCatalog.cdnBase + classic.path), "integrity": .string(classic.integrity),
            ])
        #expect(classic.integrity.hasPrefix("sha384-"))
    }

    @Test("disabled instances appear nowhere (R14)")
    func disabled() throws {
        let manifest = try #require(compiler.compile(storefront, in: ws))
        let text = String(decoding: CanonicalJSON.encode(manifest.content), as: UTF8.self)
        #expect(!text.contains("GTM"))
        #expect(!text.contains("gtm-disabled-public"))
        #expect(!text.contains("google-tag-manager"))
    }

    @Test("mobile manifests carry settings but no bundle URLs")
    func mobile() throws {
        let document = try compiled("app")
        #expect(document["integrations"]?["amp-app"]?["apiKey"] == "app-public")
        #expect(document["integrations"]?["amp-app"]?["bundlingStatus"] == "bundled")
        #expect(document["remotePlugins"] == [])
        #expect(document["delivery"]?["bundles"] == [])
        let text = String(decoding: CanonicalJSON.encode(document), as: UTF8.self)
        #expect(!text.contains(TestCatalog.cdnBase))
    }

    @Test("server sources have no manifest")
    func server() throws {
        let server = try #require(ws.source(id: "srv"))
        #expect(compiler.compile(server, in: ws) == nil)
    }

    @Test("surrogate keys name the workspace, source, write key and destinations")
    func surrogateKeys() throws {
        let manifest = try #require(compiler.compile(storefront, in: ws))
        #expect(
            manifest.surrogateKeys == [
                "workspace:ws", "source:store", "writekey:wk_store",
                "destination:amplitude", "destination:braze web mode (actions)", "destination:webhooks",
            ])
    }

    @Test("the same workspace, however its file orders keys, compiles to the same bytes")
    func deterministic() throws {
        let first =
            #"{"id":"ws","sources":[{"id":"s","kind":"web","writeKey":"k","instances":[{"id":"a","destination":"Amplitude","mode":"device","settings":{"apiKey":"x","trackPages":true,"sampleRate":0.5}}]}]}"#
        let second =
            #"{"sources":[{"instances":[{"settings":{"sampleRate":0.5,"trackPages":true,"apiKey":"x"},"mode":"device","destination":"Amplitude","id":"a"}],"writeKey":"k","kind":"web","id":"s"}],"id":"ws"}"#
        let a = try InputDocument.decode(Workspace.self, from: Data(first.utf8), file: "a")
        let b = try InputDocument.decode(Workspace.self, from: Data(second.utf8), file: "b")
        let manifestA = try #require(compiler.compile(a.sources[0], in: a))
        let manifestB = try #require(compiler.compile(b.sources[0], in: b))
        #expect(CanonicalJSON.encode(manifestA.content) == CanonicalJSON.encode(manifestB.content))
        #expect(manifestA.contentHash == manifestB.contentHash)
        #expect(manifestA.contentHash.count == 64)
    }

    @Test("stamped bodies are canonical JSON of the whole document")
    func stampedBodyIsCanonical() throws {
        let manifest = try #require(compiler.compile(storefront, in: ws))
        let signed = manifest.signed(
            version: 7, publishedAt: Date(timeIntervalSince1970: 0), validity: 60, key: SigningKey())
        #expect(CanonicalJSON.encode(try decodeJSON(signed.body)) == signed.body)
        #expect(try decodeJSON(signed.body)["delivery"]?["version"] == 7)
    }

    @Test("a settings change changes the content hash")
    func hashFollowsContent() throws {
        var changed = storefront
        changed.instances[0].settings["trackPages"] = false
        let before = try #require(compiler.compile(storefront, in: ws))
        let after = try #require(compiler.compile(changed, in: ws))
        #expect(before.contentHash != after.contentHash)
    }
}

@Suite("Canonical JSON and bundle paths")
struct CanonicalJSONTests {
    @Test("keys sorted by bytes, no whitespace, escapes, integral numbers as integers")
    func encoding() {
        let value: JSONValue = ["b": 1, "a": ["z": "q\"\\\n\u{1}", "é": 2.0, "A": 0.25], "c": [true, nil]]
        let text = String(decoding: CanonicalJSON.encode(value), as: UTF8.self)
        #expect(text == #"{"a":{"A":0.25,"z":"q\"\\\n\u0001","é":2},"b":1,"c":[true,null]}"#)
    }

    @Test("encoding, decoding and encoding again gives the same bytes")
    func roundTrip() throws {
        let value: JSONValue = ["n": 1.5, "i": -3, "s": "ü ✓", "o": ["x": [1, 2.0, "3"]]]
        let bytes = CanonicalJSON.encode(value)
        #expect(CanonicalJSON.encode(try decodeJSON(bytes)) == bytes)
    }

    @Test("norm follows the library: lower-case, first dot removed, white space as dashes")
    func norm() {
        #expect(BundlePaths.norm("Customer.io") == "customerio")
        #expect(BundlePaths.norm("Google Tag Manager") == "google-tag-manager")
        #expect(BundlePaths.norm("A.B.C  D") == "ab.c-d")
    }
}
