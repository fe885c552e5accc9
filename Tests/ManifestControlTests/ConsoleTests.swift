import Foundation
import ManifestBuilder
import Synchronization
import TestSupport
import Testing

@testable import ManifestControl

/// The operator console over HTTP, as a browser without JavaScript uses it: sign-in, the
/// catalog, the Configure steps, refusals shown inline, CSRF, workspace isolation, secrets.
/// (`ConsoleBrowserTests` clicks through the same flows in Chromium.)
@Suite struct ConsoleTests {
    static let base = "/console/w/ws_acme"
    static let webStore = base + "/sources/src_acme_web_store"
    static let docs = base + "/sources/src_acme_web_docs"

    @Test func signInExchangesATokenForAStrictHttpOnlySessionCookie() async throws {
        try await withControlPlane { harness, api in
            var console = ConsoleClient(port: api.port)
            let refused = try await console.signIn("mdt_nope_nope")
            #expect(refused.status == 401)
            #expect(refused.text.contains("This token is not valid"))
            #expect(console.cookie == nil)
            #expect(try await console.get(Self.base + "/sources").status == 303)

            let signedIn = try await console.signIn(try await harness.token(.write, workspace: "ws_acme"))
            #expect(signedIn.status == 303)
            #expect(signedIn.header(.location) == Self.base + "/sources")
            let cookie = try #require(signedIn.header(.setCookie))
            for attribute in ["HttpOnly", "SameSite=Strict", "Path=/console"] { #expect(cookie.contains(attribute)) }
            #expect(!cookie.contains("Secure"))
            let sources = try await console.get(Self.base + "/sources")
            #expect(sources.status == 200)
            #expect(sources.header(.cacheControl) == "no-store")
            #expect(sources.text.contains("href=\"/console/w/ws_acme/sources/src_acme_web_store\""))
            #expect(try await console.get("/console").header(.location) == Self.base + "/sources")

            // Signing out needs the page's CSRF token, ends the session and clears the cookie.
            #expect(
                try await console.post("/console/sign-out", [:], csrf: false).header(.location) == "/console/sign-in")
            #expect(try await console.get(Self.base + "/sources").status == 200)
            let signedOut = try await console.post("/console/sign-out", [:])
            #expect(signedOut.header(.setCookie)?.contains("Max-Age=0") == true)
            #expect(try await console.get(Self.base + "/sources").header(.location) == "/console/sign-in")
            #expect(try await console.get("/console").header(.location) == "/console/sign-in")
        }
    }

    @Test func catalogTabsSearchAndPanelTellDestinationsFromSources() async throws {
        try await withControlPlane { harness, api in
            var console = ConsoleClient(port: api.port)
            _ = try await console.signIn(try await harness.token(.read, workspace: "ws_acme"))
            let search = try await console.get(Self.base + "/catalog?tab=destinations&q=customer")
            #expect(search.status == 200)
            #expect(search.text.contains(">Customer.io</a> <span class=\"badge\">also a source</span>"))
            #expect(!search.text.contains(">Hotjar<"))
            let panel = try await console.get(Self.base + "/catalog?tab=destinations&q=hotjar&selected=hotjar")
            #expect(panel.text.contains("Heatmaps, session recordings"))
            #expect(panel.text.contains("<td>Device</td><td>Classic</td><td>No</td>"))
            #expect(panel.text.contains("href=\"/console/w/ws_acme/catalog/destinations/hotjar\""))
            let sources = try await console.get(Self.base + "/catalog?tab=sources&selected=source-customer-io")
            #expect(sources.text.contains("These are <strong>sources</strong>"))
            #expect(sources.text.contains("id=\"as-destination\""))
            #expect(!sources.text.contains("id=\"configure\""))
        }
    }

    @Test func selectingASourceDisablesTheOnesTheRulesRefuseWithTheirSentence() async throws {
        try await withControlPlane { harness, api in
            var console = ConsoleClient(port: api.port)
            _ = try await console.signIn(try await harness.token(.write, workspace: "ws_acme"))
            let page = try await console.get(Self.base + "/catalog/destinations/hotjar")
            let store = try #require(Self.choice("src_acme_web_store", in: page.text))
            #expect(store.contains("disabled"))
            #expect(store.contains("R"))
            let backend = try #require(Self.choice("src_acme_backend", in: page.text))
            #expect(backend.contains("disabled"))
            let docs = try #require(Self.choice("src_acme_web_docs", in: page.text))
            #expect(!docs.contains("disabled"))
            #expect(docs.contains("Connects in device mode."))
            let none = try await console.get(Self.base + "/catalog/destinations/hotjar/confirm")
            #expect(none.status == 422)
            let confirmed = try await console.get(
                Self.base + "/catalog/destinations/hotjar/confirm?source=src_acme_web_docs")
            #expect(confirmed.header(.location) == Self.docs + "/connect/hotjar")
        }
    }

    @Test func addingADestinationCreatesItSwitchedOffAndTheToggleEnablesAndPublishesIt() async throws {
        try await withControlPlane { harness, api in
            var console = ConsoleClient(port: api.port)
            _ = try await console.signIn(try await harness.token(.write, workspace: "ws_acme"))
            let form = try await console.get(Self.docs + "/connect/hotjar")
            #expect(form.text.contains("value=\"Hotjar\""))
            #expect(form.text.contains("Connection Settings"))
            let before = try await harness.origin.latest(writeKey: "wk_acme_web_docs_81c2")
            let created = try await console.post(
                Self.docs + "/connect/hotjar", ["name": "Hotjar docs", "setting.hjid": "4242"])
            #expect(created.status == 303)
            let location = try #require(created.header(.location))
            let page = try await console.get(location)
            #expect(page.text.contains("Hotjar docs was added to"))
            #expect(page.text.contains("aria-checked=\"false\""))
            let instance = try await Self.instance(named: "Hotjar docs", harness)
            #expect(instance.enabled == false)
            #expect(instance.settings["hjid"] == .string("4242"))

            let toggled = try await console.post(location + "/toggle", ["enabled": "true"])
            #expect(toggled.status == 303)
            #expect(try await Self.instance(named: "Hotjar docs", harness).enabled)
            let after = try #require(try await harness.origin.latest(writeKey: "wk_acme_web_docs_81c2"))
            #expect(after.version > (before?.version ?? 0))
            #expect(String(decoding: after.body, as: UTF8.self).contains("\"Hotjar docs\""))
            let source = try await console.get(Self.docs)
            #expect(source.text.contains("<li>Hotjar docs (Hotjar)</li>"))
            #expect(source.text.contains("destination.toggle"))
        }
    }

    @Test func aRefusedChangeShowsTheRuleNextToItsFieldAndChangesNothing() async throws {
        try await withControlPlane { harness, api in
            var console = ConsoleClient(port: api.port)
            _ = try await console.signIn(try await harness.token(.write, workspace: "ws_acme"))
            _ = try await console.get(Self.webStore + "/connect/hotjar")
            let revision = try await harness.store.workspace(id: "ws_acme")?.revision
            let refused = try await console.post(Self.webStore + "/connect/hotjar", ["name": "Hotjar 2"])
            #expect(refused.status == 422)
            #expect(refused.text.contains("class=\"error\""))
            #expect(refused.text.contains("<p class=\"error\" id=\"form-error\" role=\"alert\">R4: source"))
            #expect(
                refused.text.contains("id=\"setting.hjid-error\">R11: instance &#39;Hotjar 2&#39; of Hotjar is missing")
            )
            #expect(try await harness.store.workspace(id: "ws_acme")?.revision == revision)

            let duplicate = try await console.post(
                Self.docs + "/connect/webhooks", ["name": "docs feedback webhook", "setting.hooks": "[]"])
            #expect(duplicate.status == 422)
            #expect(duplicate.text.contains("<p class=\"error\" id=\"name-error\">R1:"))
            let badType = try await console.post(
                Self.docs + "/connect/webhooks", ["name": "Orders", "setting.hooks": "not json"])
            #expect(badType.text.contains("id=\"setting.hooks-error\">R11:"))
            #expect(badType.text.contains(">not json</textarea>"))
            #expect(try await harness.store.workspace(id: "ws_acme")?.revision == revision)
        }
    }

    @Test func formsWithoutTheSessionsCSRFTokenAreRefused() async throws {
        try await withControlPlane { harness, api in
            var console = ConsoleClient(port: api.port)
            _ = try await console.signIn(try await harness.token(.write, workspace: "ws_acme"))
            _ = try await console.get(Self.docs + "/connect/hotjar")
            let revision = try await harness.store.workspace(id: "ws_acme")?.revision
            let missing = try await console.post(Self.docs + "/connect/hotjar", ["name": "x"], csrf: false)
            #expect(missing.status == 403)
            #expect(missing.text.contains("CSRF token"))
            var forged = console
            forged.csrf = String(repeating: "0", count: 64)
            #expect(try await forged.post(Self.docs + "/connect/hotjar", ["name": "x"]).status == 403)
            #expect(try await harness.store.workspace(id: "ws_acme")?.revision == revision)
        }
    }

    @Test func aSessionSeesOnlyItsOwnWorkspaceAndAReadTokenChangesNothing() async throws {
        try await withControlPlane { harness, api in
            var other = ConsoleClient(port: api.port)
            _ = try await other.signIn(try await harness.token(.write, workspace: "ws_rules"))
            let page = try await other.get(Self.docs)
            #expect(page.status == 404)
            #expect(!page.text.contains("Fullstory"))
            #expect(try await other.post(Self.docs + "/connect/hotjar", ["name": "x"]).status == 404)

            var reader = ConsoleClient(port: api.port)
            _ = try await reader.signIn(try await harness.token(.read, workspace: "ws_acme"))
            #expect(try await reader.get(Self.docs).status == 200)
            #expect(try await reader.post(Self.docs + "/connect/hotjar", ["name": "x"]).status == 403)
        }
    }

    @Test func secretsAreNeverInAPageAndAnEmptySecretInputKeepsTheStoredOne() async throws {
        try await withControlPlane { harness, api in
            var console = ConsoleClient(port: api.port)
            _ = try await console.signIn(try await harness.token(.write, workspace: "ws_acme"))
            let path = Self.docs + "/destinations/di_acme_docs_vero"
            let stored = try await Self.instance(named: "Vero", harness).settings["authToken"]
            let page = try await console.get(path)
            #expect(
                page.text.contains("type=\"password\" id=\"setting.authToken\" name=\"setting.authToken\" value=\"\""))
            guard case .string(let secret)? = stored else {
                Issue.record("no stored secret")
                return
            }
            #expect(!page.text.contains(secret))
            let saved = try await console.post(
                path + "/settings", ["setting.apiKey": "new-key", "setting.authToken": ""])
            #expect(saved.status == 303)
            let after = try await Self.instance(named: "Vero", harness)
            #expect(after.settings["authToken"] == stored)
            #expect(after.settings["apiKey"] == .string("new-key"))
            for page in [path, Self.docs, Self.docs + "/manifest"] {
                #expect(!(try await console.get(page).text.contains(secret)))
            }
        }
    }

    @Test func renameSwitchModeCopySettingsAndDelete() async throws {
        try await withControlPlane { harness, api in
            var console = ConsoleClient(port: api.port)
            _ = try await console.signIn(try await harness.token(.write, workspace: "ws_acme"))
            let amplitude = Self.webStore + "/destinations/di_acme_store_amplitude_na"
            let page = try await console.get(amplitude)
            #expect(page.text.contains("Amplitude South America on"))
            #expect(
                try await console.post(amplitude + "/general", ["name": "Amplitude NA", "mode": "cloud"]).status == 303)
            #expect(try await Self.instance(named: "Amplitude NA", harness).mode == .cloud)
            let source = "workspaces/ws_acme/sources/src_acme_web_store/destinations/di_acme_store_amplitude"
            #expect(try await console.post(amplitude + "/copy-settings", ["from": source]).status == 303)
            let copied = try await Self.instance(named: "Amplitude NA", harness)
            #expect(copied.settings == (try await Self.instance(named: "Amplitude", harness).settings))

            let unconfirmed = try await console.post(amplitude + "/delete", [:])
            #expect(unconfirmed.status == 400)
            #expect(unconfirmed.text.contains("id=\"confirm-error\""))
            let deleted = try await console.post(amplitude + "/delete", ["confirm": "yes"])
            #expect(deleted.header(.location) == Self.webStore)
            let workspace = try #require(try await harness.store.workspace(id: "ws_acme")).workspace
            #expect(
                workspace.source(id: "src_acme_web_store")?.instances.contains { $0.name == "Amplitude NA" } == false)
        }
    }

    @Test func theSourcePageSaysWhichEdgesServeTheNewVersion() async throws {
        let edges = FixedEdges()
        try await withControlPlane(edges: edges) { harness, api in
            var console = ConsoleClient(port: api.port)
            _ = try await console.signIn(try await harness.token(.write, workspace: "ws_acme"))
            let last = try await harness.origin.lastSequence()
            edges.set([EdgeProgress(name: "edge-a", applied: last), EdgeProgress(name: "edge-b", applied: last)])
            _ = try await console.get(Self.docs)
            let created = try await console.post(
                Self.docs + "/connect/hotjar", ["name": "Hotjar", "setting.hjid": "1"])
            _ = try await console.post(try #require(created.header(.location)) + "/toggle", ["enabled": "true"])
            let published = try await harness.origin.lastSequence()
            edges.set([EdgeProgress(name: "edge-a", applied: published), EdgeProgress(name: "edge-b", applied: last)])

            let page = try await console.get(Self.docs)
            #expect(page.text.contains("<strong id=\"edges-serving\">1</strong> of 2 edges"))
            let status = try await console.get(Self.docs + "/status").json
            let version = try #require(try await harness.origin.latest(writeKey: "wk_acme_web_docs_81c2")).version
            #expect(status["version"] == .int(version))
            #expect(status["edges"] == [["name": "edge-a", "serving": true], ["name": "edge-b", "serving": false]])
            #expect(status["pageLoad"]?.arrayValue?.contains("Hotjar") == true)
        }
    }

    @Test func whatOperatorsTypeIsEscapedInEveryPage() async throws {
        try await withControlPlane { harness, api in
            var console = ConsoleClient(port: api.port)
            _ = try await console.signIn(try await harness.token(.write, workspace: "ws_acme"))
            let vero = Self.docs + "/destinations/di_acme_docs_vero"
            _ = try await console.get(vero)
            let name = #"<script>alert("x")</script> & 'co'"#
            #expect(try await console.post(vero + "/general", ["name": name]).status == 303)
            let escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;"
            for page in [vero, Self.docs] {
                let text = try await console.get(page).text
                #expect(!text.contains("<script>alert"))
                #expect(text.contains(escaped))
            }
            // The manifest view shows the JSON text, escaped again for HTML.
            let manifest = try await console.get(Self.docs + "/manifest").text
            #expect(!manifest.contains("<script>alert"))
            #expect(manifest.contains(#"&lt;script&gt;alert(\&quot;x\&quot;)&lt;/script&gt;"#))
        }
    }

    @Test func filtersAreListedAddedWithTheirFQLCheckedAndRemoved() async throws {
        try await withControlPlane { harness, api in
            var console = ConsoleClient(port: api.port)
            _ = try await console.signIn(try await harness.token(.write, workspace: "ws_acme"))
            let path = Self.docs + "/destinations/di_acme_docs_vero"
            _ = try await console.get(path)
            let revision = try await harness.store.workspace(id: "ws_acme")?.revision
            let refused = try await console.post(
                path + "/add-filter", ["filter-name": "Broken", "filter-if": "event = ", "filter-type": "drop"])
            #expect(refused.status == 422)
            let error = try #require(Self.element("filter-error", in: refused.text))
            #expect(error.hasPrefix("F1:"))
            #expect(error.contains("character 9"))
            #expect(try await harness.store.workspace(id: "ws_acme")?.revision == revision)

            let added = try await console.post(
                path + "/add-filter",
                [
                    "filter-name": "Half the users", "filter-if": #"event = "Sampled""#, "filter-type": "sample",
                    "filter-percent": "50", "filter-path": "userId",
                ])
            #expect(added.status == 303)
            #expect(
                try await Self.instance(named: "Vero", harness).filters == [
                    DestinationFilter(
                        name: "Half the users", condition: #"event = "Sampled""#,
                        action: .sample(percent: 50, path: "userId"))
                ])
            let page = try await console.get(path)
            #expect(page.text.contains("Keep 50% of events, sampled by userId"))
            #expect(try await console.post(path + "/remove-filter", ["index": "0"]).status == 303)
            #expect(try await Self.instance(named: "Vero", harness).filters.isEmpty)
        }
    }

    @Test func theSourceListRenderedWithoutTheTemplateEscapesToo() {
        let choice = SelectSourceView.Choice(
            id: #"s"1"#, name: "<b>Shop</b>", kind: "web", disabled: true, reason: "R4: 'Hotjar' & <more>")
        #expect(
            choice.html == """
                <li class="disabled">
                <input type="radio" name="source" id="source-s&quot;1" value="s&quot;1" disabled \
                aria-describedby="reason-s&quot;1">
                <label for="source-s&quot;1">&lt;b&gt;Shop&lt;/b&gt; <span class="kind">web</span></label>
                <span class="reason" id="reason-s&quot;1">R4: &#39;Hotjar&#39; &amp; &lt;more&gt;</span>
                </li>

                """)
    }

    /// The text of the element with this id.
    static func element(_ id: String, in html: String) -> String? {
        guard let start = html.range(of: "id=\"\(id)\">") else { return nil }
        let rest = html[start.upperBound...]
        return String(rest[..<(rest.range(of: "<")?.lowerBound ?? rest.endIndex)])
    }

    static func instance(named name: String, _ harness: ControlHarness) async throws -> DestinationInstance {
        let workspace = try #require(try await harness.store.workspace(id: "ws_acme")).workspace
        return try #require(workspace.sources.flatMap(\.instances).first { $0.name == name })
    }

    /// The `<li>` of a source in the select-source list.
    static func choice(_ id: String, in html: String) -> String? {
        guard let start = html.range(of: "id=\"source-\(id)\"") else { return nil }
        let rest = html[start.lowerBound...]
        return String(rest[..<(rest.range(of: "</li>")?.lowerBound ?? rest.endIndex)])
    }
}

/// Edge progress as a test sets it.
final class FixedEdges: EdgeProgressSource {
    private let progress = Mutex<[EdgeProgress]>([])

    func set(_ edges: [EdgeProgress]) { progress.withLock { $0 = edges } }

    func edges() async throws -> [EdgeProgress] { progress.withLock { $0 } }
}
