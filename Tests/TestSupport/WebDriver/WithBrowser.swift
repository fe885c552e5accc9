/// Runs `body` with a headless Chromium session on a chromedriver of its own, and ends both
/// however `body` ends (returning, throwing or cancelled), so that no browser outlives a test.
package func withBrowser<Value: Sendable>(_ body: (WebDriverSession) async throws -> Value) async throws -> Value {
    let driver = try await ChromeDriver.start()
    let outcome: Result<Value, any Error>
    do {
        let session = try await WebDriverSession.start(on: driver)
        do {
            outcome = .success(try await body(session))
        } catch {
            outcome = .failure(error)
        }
        // Quits the browser cleanly; if that fails, stopping the driver kills it.
        try? await session.deleteSession()
    } catch {
        outcome = .failure(error)
    }
    await driver.stop()
    return try outcome.get()
}
