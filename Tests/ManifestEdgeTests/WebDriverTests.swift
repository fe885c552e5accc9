import Foundation
import Hummingbird
import ManifestBuilder
import NIOCore
import TestSupport
import Testing

/// The WebDriver client in `TestSupport` against a real headless Chromium and a real server on
/// loopback: what later tests of the web console rely on.
@Suite(
    "WebDriver client driving headless Chromium",
    .enabled(if: ChromeDriver.isAvailable, Comment(rawValue: ChromeDriver.unavailableMessage)), .serialized)
struct WebDriverTests {
    /// The fields of the sign-up form, as the browser posts them.
    struct SignUp: Decodable {
        var name: String
        var plan: String
        var subscribe: String?
    }

    static let formPage = """
        <!doctype html>
        <html><head><title>Sign up</title></head><body>
        <form method="post" action="/submit">
          <label for="name">Name</label> <input id="name" name="name" type="text">
          <label><input id="subscribe" name="subscribe" type="checkbox" value="yes"> Newsletter</label>
          <select id="plan" name="plan">
            <option value="free">Free</option><option value="pro">Pro</option><option value="team">Team</option>
          </select>
          <button id="send" type="submit">Sign up</button>
        </form>
        </body></html>
        """

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    static func html(_ page: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: page)))
    }

    /// `GET /form` shows the form; `POST /submit` answers with a result page and sets a `plan` cookie.
    static func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/form") { _, _ in html(formPage) }
        router.post("/submit") { request, _ in
            let body = try await request.body.collect(upTo: 65_536)
            let form = try URLEncodedFormDecoder().decode(SignUp.self, from: String(buffer: body))
            let subscribed = form.subscribe == "yes" ? "subscribed" : "not subscribed"
            var response = html(
                """
                <!doctype html><html><head><title>Result</title></head><body>
                <p id="result">\(escaped(form.name)) chose \(escaped(form.plan)), \(subscribed)</p>
                </body></html>
                """)
            response.headers[.setCookie] = "plan=\(form.plan); Path=/"
            return response
        }
        return router
    }

    @Test("types, ticks, selects and submits by click and by Enter; cookies, scripts and a screenshot")
    func formFlow() async throws {
        try await withLiveServer(Self.router()) { port in
            let base = "http://127.0.0.1:\(port)"
            try await withBrowser { browser in
                try await browser.navigate(to: base + "/form")
                #expect(try await browser.title() == "Sign up")
                #expect(try await browser.find("label[for=name]").text() == "Name")
                let name = try await browser.find("#name")
                try await name.sendKeys("someone else")
                try await name.clear()
                try await name.sendKeys("Ada Lovelace")
                #expect(try await name.property("value") == "Ada Lovelace")
                #expect(try await name.attribute("type") == "text")
                let subscribe = try await browser.find("#subscribe")
                #expect(try await subscribe.isSelected() == false)
                try await subscribe.click()
                #expect(try await subscribe.isSelected())
                let pro = try await browser.find("#plan").find("option[value=pro]")
                try await pro.click()
                #expect(try await pro.isSelected())
                let send = try await browser.find("#send")
                #expect(try await send.isEnabled())
                try await send.click()
                #expect(try await browser.waitFor("#result").text() == "Ada Lovelace chose pro, subscribed")
                #expect(try await browser.currentURL() == base + "/submit")
                #expect(try await browser.cookies().first { $0.name == "plan" }?.value == "pro")

                try await browser.navigate(to: base + "/form")
                try await browser.find("#name").sendKeys("Grace Hopper\u{E007}")
                let result = try await browser.waitFor("#result")
                #expect(try await result.text() == "Grace Hopper chose free, not subscribed")
                #expect(try await browser.pageSource().contains("<title>Result</title>"))

                #expect(
                    try await browser.executeScript("return arguments[0] + document.title", args: ["page "])
                        == "page Result")
                #expect(try await browser.executeScript("return arguments[0].id", args: [result.reference]) == "result")
                try await browser.addCookie(WebDriverCookie(name: "theme", value: "dark"))
                let cookie = try await browser.executeScript("return document.cookie")
                #expect(cookie == "plan=free; theme=dark")
                try await browser.deleteAllCookies()
                #expect(try await browser.cookies().isEmpty)

                let png = try await browser.screenshot(
                    to: Fixtures.artefacts.appendingPathComponent("webdriver-result.png"))
                #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
                #expect(try Data(contentsOf: Fixtures.artefacts.appendingPathComponent("webdriver-result.png")) == png)
            }
        }
    }

    @Test("a wait for a missing element names the selector and the page; a failed command names itself")
    func errors() async throws {
        try await withLiveServer(Self.router()) { port in
            let url = "http://127.0.0.1:\(port)/form"
            try await withBrowser { browser in
                try await browser.navigate(to: url)
                let timeout = try await #require(throws: ElementWaitTimeout.self) {
                    try await browser.waitFor("#missing", timeout: .milliseconds(300))
                }
                #expect("\(timeout)".contains("\"#missing\""))
                #expect("\(timeout)".contains(url))
                let error = try await #require(throws: WebDriverError.self) { try await browser.find(".nowhere") }
                #expect(error.error == "no such element")
                #expect("\(error)".contains("find(\".nowhere\")"))
            }
        }
    }

    @Test("stopping the driver ends its process, and a second stop does nothing")
    func stop() async throws {
        let driver = try await ChromeDriver.start()
        #expect(driver.isRunning)
        await driver.stop()
        #expect(!driver.isRunning)
        await driver.stop()
    }
}
