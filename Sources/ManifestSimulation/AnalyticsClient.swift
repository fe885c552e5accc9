import Foundation
import HTTPTypes
import ManifestBuilder
import ManifestHTTP
import NIOCore

/// What one simulated page load saw.
public struct PageLoad: Hashable, Sendable {
    public enum Outcome: Hashable, Sendable {
        /// The settings loaded and verified; these destinations started.
        case loaded
        /// The settings fetch failed: as in the real library, nothing loads.
        case fetchFailed(String)
        /// The settings arrived but were refused (bad signature, expired, older than seen).
        case refused(String)
    }

    public var time: Date
    public var outcome: Outcome
    /// The manifest version used (nil when nothing loaded).
    public var version: Int?
    /// Device-mode destinations that loaded, by instance name, sorted.
    public var destinations: [String]
    /// Destinations whose bundle failed (missing, or not matching its SRI hash).
    public var failedBundles: [String]
    /// Whether the settings came from the browser's own cache without a request.
    public var fromBrowserCache: Bool
    /// How many of the page's events each loaded destination received after the manifest's
    /// routing rules (destination filters) dropped theirs.
    public var delivered: [String: Int] = [:]
}

/// A simulated Analytics.js client for one write key: on each page load it does what the real
/// browser library does with its settings (`settings-format.md`), plus the checks a careful
/// client adds: it verifies the `Manifest-Signature`, refuses expired manifests and versions
/// lower than the highest it has accepted, and checks each bundle against its SRI hash.
public actor AnalyticsClient {
    public let writeKey: String
    private let fetcher: any Upstream
    private let verifier: ManifestVerifier
    private let clock: any WallClock
    /// The CDN base the manifests' URLs start with; stripped to get paths for the fetcher.
    private let cdnBase: String
    private let useBrowserCache: Bool
    /// The page's load-time integrations option (`{"Amplitude": false}`, `{"All": false, ...}`).
    private let pageIntegrations: [String: JSONValue]
    /// The events each page load sends (by default one `page` call).
    private let events: [JSONValue]
    /// Draws for samples without a path: seeded, so that a simulation stays deterministic.
    private var random: SplitMix64
    private var browserCache = BrowserCache()
    private var highestVersion: Int?
    public private(set) var history: [PageLoad] = []

    public init(
        writeKey: String, fetcher: any Upstream, verifier: ManifestVerifier, clock: any WallClock, cdnBase: String,
        useBrowserCache: Bool = true, pageIntegrations: [String: JSONValue] = [:],
        events: [JSONValue] = [["type": "page"]], seed: UInt64 = 1
    ) {
        self.events = events
        self.random = SplitMix64(seed: seed)
        self.writeKey = writeKey
        self.fetcher = fetcher
        self.verifier = verifier
        self.clock = clock
        self.cdnBase = cdnBase
        self.useBrowserCache = useBrowserCache
        self.pageIntegrations = pageIntegrations
    }

    /// One page load: fetch the settings, check them, load the device-mode destinations.
    @discardableResult
    public func loadPage() async -> PageLoad {
        let now = clock.now()
        let load = await attempt(at: now)
        history.append(load)
        return load
    }

    private func attempt(at now: Date) async -> PageLoad {
        let path = "/v1/projects/\(writeKey)/settings"
        var fromBrowserCache = false
        let response: UpstreamResponse
        if useBrowserCache, let cached = browserCache.fresh(path, at: now) {
            response = cached
            fromBrowserCache = true
        } else {
            var fields = HTTPFields()
            if useBrowserCache, let tag = browserCache.entityTag(path) { fields[.ifNoneMatch] = tag }
            do {
                let fetched = try await fetcher.fetch(path, headerFields: fields)
                response = useBrowserCache ? browserCache.update(path, with: fetched, at: now) : fetched
            } catch {
                return failure(now, .fetchFailed("\(error)"))
            }
        }
        guard response.status == .ok else { return failure(now, .fetchFailed("HTTP \(response.status.code)")) }
        let body = Array(buffer: response.body)
        guard let header = response.headerFields[.manifestSignature],
            let (keyID, signature) = SignedManifest.parseSignatureHeader(header)
        else { return failure(now, .refused("no Manifest-Signature")) }
        let verified: VerifiedManifest
        do {
            verified = try verifier.verify(
                body: body, signature: signature, keyID: keyID, expectedWriteKey: writeKey,
                highestSeenVersion: highestVersion, now: now)
        } catch {
            return failure(now, .refused(error.description))
        }
        highestVersion = max(highestVersion ?? 0, verified.version)
        let plan = DestinationPlan(document: verified.document, page: pageIntegrations)
        var failed: [String] = []
        for bundle in plan.bundles {
            guard await bundleMatches(bundle) else {
                failed.append(bundle.instance)
                continue
            }
        }
        let loaded = plan.destinations.filter { !failed.contains($0) }
        return PageLoad(
            time: now, outcome: .loaded, version: verified.version, destinations: loaded.sorted(),
            failedBundles: failed.sorted(), fromBrowserCache: fromBrowserCache,
            delivered: deliver(to: loaded, RoutingMiddleware(document: verified.document)))
    }

    /// Sends the page's events through the routing rules to each loaded destination.
    private func deliver(to destinations: [String], _ routing: RoutingMiddleware) -> [String: Int] {
        var delivered: [String: Int] = [:]
        for destination in destinations {
            delivered[destination] = events.count { event in
                routing.route(event, to: destination) { Double.random(in: 0..<1, using: &random) } != nil
            }
        }
        return delivered
    }

    private func bundleMatches(_ bundle: DestinationPlan.Bundle) async -> Bool {
        guard bundle.url.hasPrefix(cdnBase),
            let response = try? await fetcher.fetch(String(bundle.url.dropFirst(cdnBase.count)), headerFields: [:]),
            response.status == .ok
        else { return false }
        return BundleArtifact(destinationID: "", path: "", bytes: Array(buffer: response.body)).integrity
            == bundle.integrity
    }

    private func failure(_ now: Date, _ outcome: PageLoad.Outcome) -> PageLoad {
        PageLoad(
            time: now, outcome: outcome, version: nil, destinations: [], failedBundles: [], fromBrowserCache: false)
    }
}
