import Foundation
import ManifestBuilder
import ManifestControl
import ManifestEdge
import ManifestHTTP
import ManifestOrigin
import TestSupport
import Testing

/// The console's flows clicked through in a real Chromium (WebDriver), in front of a real origin
/// and edge on loopback: what an operator does, and what a page load then gets.
@Suite(.enabled(if: ChromeDriver.isAvailable, Comment(rawValue: ChromeDriver.unavailableMessage)))
struct ConsoleBrowserTests {
    @Test func fromTheCatalogToABrowserThatLoadsTheNewDestination() async throws {
        try await withConsoleStack { stack, browser in
            try await stack.signIn(browser)
            try await browser.find("nav a[href$='/catalog']").click()
            #expect(try await browser.waitFor("#tab-destinations").attribute("aria-current") == "page")
            try await browser.find("#q").sendKeys("hot\u{E007}")
            try await stack.waitForURL(browser, containing: "q=hot")
            try await browser.waitFor("a.result[data-id='hotjar']").click()
            #expect(try await browser.waitFor("#panel").text().contains("Heatmaps"))
            try await stack.screenshot(browser, "console-catalog.png")
            try await browser.find("#configure").click()

            // Confirm Source: the storefront already has Hotjar, a device-only destination.
            let store = try await browser.waitFor("#source-src_acme_web_store")
            #expect(try await store.isEnabled() == false)
            #expect(try await browser.find("#reason-src_acme_web_store").text().hasPrefix("R4:"))
            #expect(try await browser.find("#source-src_acme_backend").isEnabled() == false)
            try await stack.screenshot(browser, "console-select-source.png")
            try await browser.find("#source-src_acme_web_docs").click()
            try await browser.find("#confirm-source").click()

            // Name the instance and fill in its Connection Settings.
            let name = try await browser.waitFor("#name")
            #expect(try await name.property("value") == "Hotjar")
            try await name.clear()
            try await name.sendKeys("Hotjar docs")
            try await browser.find("[id='setting.hjid']").sendKeys("4242")
            try await stack.screenshot(browser, "console-connection-settings.png")
            try await browser.find("#create").click()

            // The toggle at the top of the settings page enables it.
            try await stack.waitForText(browser, "#notice") { $0.contains("Hotjar docs was added") }
            #expect(try await browser.find("#toggle").attribute("aria-checked") == "false")
            try await browser.find("#toggle").click()
            try await stack.waitForText(browser, "#notice") { $0.contains("Switched on") }
            #expect(try await browser.find("#toggle").attribute("aria-checked") == "true")
            try await stack.screenshot(browser, "console-destination.png")

            // The edge serves the new manifest, and the demo page's loader starts Hotjar docs.
            try await withTimeLimit {
                while !(try await stack.edgeDocument("wk_acme_web_docs_81c2").contains("Hotjar docs")) {
                    await Task.yield()
                }
            }
            try await browser.navigate(to: stack.demoURL(writeKey: "wk_acme_web_docs_81c2"))
            let result = try await stack.demoResult(browser)
            #expect(result["result"]?["loaded"]?.arrayValue?.contains("Hotjar docs") == true)
            #expect(result["initialized"]?.arrayValue?.contains { $0["destination"] == "Hotjar" } == true)

            // The source page says the one edge serves the version the change published.
            try await browser.navigate(to: stack.console + "/w/ws_acme/sources/src_acme_web_docs")
            try await withTimeLimit {
                while try await browser.waitFor("#edges-serving").text() != "1" {
                    try await browser.navigate(to: stack.console + "/w/ws_acme/sources/src_acme_web_docs")
                }
            }
            #expect(try await browser.find("#page-load").text().contains("Hotjar docs (Hotjar)"))
            _ = try await browser.executeScript("document.getElementById('published').scrollIntoView()")
            try await stack.screenshot(browser, "console-source.png")

            // Live: a change made elsewhere (the Config API) shows up without a reload.
            let shown = try await browser.find("#published-version").text()
            let answer = try await stack.api(
                .patch, "/v1/workspaces/ws_acme/sources/src_acme_web_docs/destinations/di_acme_docs_vero",
                #"{"enabled": false}"#)
            #expect(answer.status.code == 200)
            let next = "\((Int(shown) ?? 0) + 1)"
            try await stack.waitForText(browser, "#published-version") { $0 == next }
            try await stack.waitForText(browser, "#page-load") { !$0.contains("Vero") }
        }
    }

    @Test func fromASourceWithRefusalsCopySettingsRenameAndDelete() async throws {
        try await withConsoleStack { stack, browser in
            try await stack.signIn(browser)
            try await browser.find("a[href$='/sources/src_acme_web_docs']").click()
            try await browser.waitFor("#add-destination").click()
            try await browser.waitFor("#q").sendKeys("webhooks\u{E007}")
            try await stack.waitForURL(browser, containing: "q=webhooks")
            try await browser.waitFor("a.result[data-id='webhooks']").click()
            try await browser.waitFor("#configure").click()

            // A value the schema refuses: R11's sentence next to the field; nothing is created.
            let name = try await browser.waitFor("#name")
            try await name.clear()
            try await name.sendKeys("Orders hook")
            try await browser.find("[id='setting.hooks']").sendKeys("not a list")
            try await browser.find("#create").click()
            try await stack.waitForText(browser, "[id='setting.hooks-error']") { $0.hasPrefix("R11:") }
            try await stack.screenshot(browser, "console-refusal.png")
            let hooks = try await browser.find("[id='setting.hooks']")
            try await hooks.clear()
            try await hooks.sendKeys("[]")
            try await browser.find("#create").click()
            try await stack.waitForText(browser, "#notice") { $0.contains("Orders hook was added") }

            // Copy Settings From Other Destination lists the other Webhooks instances.
            let options = try await browser.findAll("#from option")
            #expect(options.count == 4)
            try await browser.find("#copy-settings").click()
            try await stack.waitForText(browser, "#notice") { $0.contains("Saved") }
            #expect(try await stack.instance("Orders hook").settings["hooks"] != [])

            // A second instance of a device-only destination on the storefront: R4, inline.
            try await browser.navigate(to: stack.console + "/w/ws_acme/sources/src_acme_web_store/connect/hotjar")
            try await browser.find("[id='setting.hjid']").sendKeys("7")
            try await browser.find("#create").click()
            try await stack.waitForText(browser, "#form-error") { $0.hasPrefix("R4:") }
            #expect(
                try await stack.harness.store.workspace(id: "ws_acme")?.workspace.source(id: "src_acme_web_store")?
                    .instances.filter { $0.destination == "Hotjar" }.count == 1)
            try await browser.navigate(to: stack.console + "/w/ws_acme/sources/src_acme_web_docs")
            try await browser.navigate(to: try await stack.link(browser, text: "Orders hook"))

            // Rename; then a mode switch the rules refuse, shown inline, changing nothing.
            let rename = try await browser.find("#name")
            try await rename.clear()
            try await rename.sendKeys("Orders webhook")
            try await browser.find("#save-general").click()
            try await stack.waitForText(browser, "h1") { $0 == "Orders webhook" }
            try await browser.navigate(
                to: stack.console + "/w/ws_acme/sources/src_acme_web_store/destinations/di_acme_store_amplitude_sa")
            try await browser.waitFor("#mode-device").click()
            try await browser.find("#save-general").click()
            try await stack.waitForText(browser, "#form-error") { $0.hasPrefix("R3:") }
            #expect(try await stack.instance("Amplitude South America").mode == .cloud)

            // Delete, after ticking the confirmation.
            try await browser.navigate(to: stack.console + "/w/ws_acme/sources/src_acme_web_docs")
            try await browser.navigate(to: try await stack.link(browser, text: "Orders webhook"))
            try await browser.find("#confirm").click()
            try await browser.find("#delete").click()
            try await stack.waitForText(browser, "#notice") { $0.contains("deleted") }
            #expect(!(try await browser.find("#destinations").text().contains("Orders webhook")))

            // No secret is in any page the browser was given.
            let secret = try #require(try await stack.instance("Vero").settings["authToken"]?.stringValue)
            try await browser.navigate(
                to: stack.console + "/w/ws_acme/sources/src_acme_web_docs/destinations/di_acme_docs_vero")
            #expect(!(try await browser.pageSource().contains(secret)))
        }
    }
}
