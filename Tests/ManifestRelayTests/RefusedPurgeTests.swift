import Foundation
import HTTPTypes
import ManifestBuilder
import ManifestHTTP
import ManifestRelay
import TestSupport
import Testing

/// A purge that is refused, against the real origin: it answers PURGE and BAN with 405, as a
/// Varnish without manifest.vcl does by passing them on to it. Needs no varnishd.
@Suite("Refused purges")
struct RefusedPurgeTests {
    @Test("the purger reports a refused purge, and the relay does not advance past the event")
    func refused() async throws {
        let origin = try await PublishedOrigin.make()
        try await origin.serve { fetch in
            let base = "http://127.0.0.1:\(fetch.port)"
            let purger = VarnishPurger(varnish: CurlUpstream(baseURL: base, timeout: .seconds(30)))
            await #expect(throws: PurgeError.refused(status: 405)) {
                try await purger.purge(keys: ["writekey:\(PublishedOrigin.writeKey)"])
            }
            // BAN is no method HTTP parsers know: the origin's refuses it before routing (4xx).
            let ban = await #expect(throws: PurgeError.self) { try await purger.purgeEverything() }
            if case .refused(let status) = ban {
                #expect((400..<500).contains(status))
            } else {
                Issue.record("BAN was not refused: \(String(describing: ban))")
            }

            let relay = PurgeRelay(
                events: CurlUpstream(baseURL: base, timeout: .seconds(30)), purger: purger, wait: 5,
                retryDelay: .milliseconds(20), startAfter: 1, logger: .test)
            let following = Task { try await relay.run() }
            defer { following.cancel() }
            try await origin.publish(trackPages: false, at: PublishedOrigin.start.addingTimeInterval(60))
            // Several refusals in a row: the relay keeps asking for event 2 instead of moving on.
            try await withTimeLimit {
                while relay.failedAttempts < 3 { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(relay.purgedSequence == 1)
        }
    }
}
