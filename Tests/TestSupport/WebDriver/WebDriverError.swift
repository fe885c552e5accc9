/// A WebDriver command that failed: chromedriver's `value.error` (such as "no such element") and
/// `value.message`, or why no answer came, with the command that was sent.
package struct WebDriverError: Error, CustomStringConvertible {
    /// What was asked, such as `find("#name") [POST /session/ID/element]`.
    package let command: String
    /// The W3C error code, such as "no such element" or "invalid session id".
    package let error: String
    package let message: String

    package var description: String { "WebDriver \(command) failed: \(error): \(message)" }
}

/// `waitFor` gave up: no element matched the selector before the deadline.
package struct ElementWaitTimeout: Error, CustomStringConvertible {
    package let selector: String
    package let timeout: Duration
    /// The page the browser was on when the wait ended.
    package let url: String

    package var description: String { "no element matches \"\(selector)\" after \(timeout) on \(url)" }
}
