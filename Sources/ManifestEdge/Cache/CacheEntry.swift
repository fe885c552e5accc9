import Foundation
import HTTPTypes
import ManifestHTTP
import NIOCore
import NIOHTTP1

/// A stored response with what RFC 9111 needs to judge it: when it was requested and received,
/// the ages and dates it arrived with, and its directives.
struct CacheEntry: Sendable {
    var status: HTTPResponse.Status
    /// As received, less hop-by-hop fields and `Age` (recomputed on every use), and with
    /// `Vary: Accept-Encoding` once compressed copies are held. Held once, by the identity
    /// representation: a second copy of a manifest's fields would cost as much as its gzip copy.
    var headerFields: HTTPFields {
        get { representations.identity.fields }
        set { representations.update(fields: newValue) }
    }
    /// What is sent: identity, and the compressed copies once `compress(with:)` made them.
    private(set) var representations: Representations
    var requestTime: Date
    var responseTime: Date
    var directives: CacheDirectives
    /// How long the response is fresh, from its directives (or `Expires`).
    var freshnessLifetime: TimeInterval
    /// For a stored 206, which bytes it holds; nil for a complete response.
    let partial: PartialContent?
    /// A soft purge made the entry stale: it may still answer when the origin fails
    /// (stale-if-error), never while revalidating.
    var softPurged = false
    /// The `Age` the response arrived with, and its `Date`.
    private var ageValue: TimeInterval
    private var dateValue: Date?

    init(status: HTTPResponse.Status, headerFields: HTTPFields, body: ByteBuffer, requestTime: Date, responseTime: Date)
    {
        self.status = status
        self.partial =
            status == .partialContent
            ? PartialContent(contentRange: headerFields[.contentRange], length: body.readableBytes) : nil
        self.requestTime = requestTime
        self.responseTime = responseTime
        self.ageValue = Freshness.initialAge(headerFields)
        self.dateValue = headerFields[.date].flatMap(HTTPDate.parse)
        let stored = Self.storable(headerFields)
        self.representations = Representations(status: status, fields: stored, body: body, codings: [])
        self.directives = CacheDirectives(stored)
        self.freshnessLifetime = Freshness.lifetime(
            status: status, directives: directives, fields: headerFields, date: dateValue, received: responseTime)
    }

    /// Compresses the body once for each coding, when the response is worth compressing: called
    /// when the entry is stored, so that passed-through responses cost nothing.
    mutating func compress(with codings: [ContentCoding]) {
        representations.compress(with: codings, fields: headerFields)
    }

    /// RFC 9111 §3.3: a complete response answers any request; a partial one only a request for
    /// a single range wholly within its bytes.
    func answers(_ request: HTTPFields) -> Bool {
        guard let partial else { return true }
        let asked = ByteRange.requested(
            request, length: partial.completeLength, entityTag: entityTag, lastModified: headerFields[.lastModified])
        guard case .partial(let bytes) = asked else { return false }
        return partial.holds(bytes)
    }

    /// Whether `fields` carry this response's strong entity tag (RFC 9110 §8.8.3.2).
    func sameStrongValidator(_ fields: HTTPFields) -> Bool {
        guard let tag = entityTag, !tag.hasPrefix("W/") else { return false }
        return fields[.eTag] == tag
    }

    /// RFC 9111 §3.4: this stored 206 and an `older` one with the same strong validator, as one
    /// response with this one's fields: a complete 200 once they hold every byte. Nil when they
    /// cannot be combined (another validator, a weak one, a gap between them).
    func combined(with older: CacheEntry) -> CacheEntry? {
        guard let partial, let olderPartial = older.partial, older.sameStrongValidator(headerFields),
            let joined = PartialContent.join(
                (partial, representations.identityContent() ?? []),
                (olderPartial, older.representations.identityContent() ?? []))
        else { return nil }
        var fields = headerFields
        let complete = joined.part.range == 0..<joined.part.completeLength
        fields[.contentRange] =
            complete ? nil : PartialContent.contentRange(joined.part.range, of: joined.part.completeLength)
        fields[.contentLength] = String(joined.bytes.count)
        var entry = CacheEntry(
            status: complete ? .ok : .partialContent, headerFields: fields, body: ByteBuffer(bytes: joined.bytes),
            requestTime: requestTime, responseTime: responseTime)
        entry.ageValue = ageValue
        entry.dateValue = dateValue
        return entry
    }

    /// RFC 9111 §4.3.4: a 304 answering a revalidation refreshes the stored fields and times;
    /// the body stays. (So does a 206 with the stored strong validator, §3.2, whose
    /// `Content-Range` describes its own part, not the stored response.)
    mutating func refresh(with fields: HTTPFields, requestTime: Date, responseTime: Date) {
        var updated = headerFields
        for field in Self.storable(fields) where field.name != .contentLength && field.name != .contentRange {
            updated[field.name] = field.value
        }
        headerFields = updated
        self.requestTime = requestTime
        self.responseTime = responseTime
        ageValue = Freshness.initialAge(fields)
        dateValue = fields[.date].flatMap(HTTPDate.parse) ?? dateValue
        directives = CacheDirectives(headerFields)
        freshnessLifetime = Freshness.lifetime(
            status: status, directives: directives, fields: headerFields, date: dateValue, received: responseTime)
        softPurged = false
    }

    /// RFC 9111 §4.2.3, without the apparent age from `Date`: edge and origin clocks may
    /// disagree, and a skewed origin clock would make every response look old. The `Age` the
    /// response arrived with plus the time it took to arrive is the corrected initial age.
    func currentAge(at now: Date) -> TimeInterval {
        let responseDelay = max(0, responseTime.timeIntervalSince(requestTime))
        return ageValue + responseDelay + now.timeIntervalSince(responseTime)
    }

    /// Seconds of freshness left; negative once stale.
    func timeToLive(at now: Date) -> TimeInterval {
        freshnessLifetime - currentAge(at: now)
    }

    func isFresh(at now: Date) -> Bool {
        !softPurged && !directives.noCache && timeToLive(at: now) > 0
    }

    /// RFC 5861: a stale response may be served while one revalidation runs in the background.
    func mayServeWhileRevalidating(at now: Date) -> Bool {
        guard !softPurged, !directives.mustRevalidate, !directives.noCache, status.kind != .serverError,
            let window = directives.staleWhileRevalidate
        else { return false }
        return -timeToLive(at: now) <= TimeInterval(window)
    }

    /// RFC 5861: a stale response may be served when the origin fails.
    func mayServeOnError(at now: Date) -> Bool {
        guard !directives.mustRevalidate, status.kind != .serverError, let window = directives.staleIfError else {
            return false
        }
        return -timeToLive(at: now) <= TimeInterval(window)
    }

    /// The same entry holding its identity bytes, `decoded` from its gzip copy by a request that
    /// wanted them (see `Representations`).
    func holding(identity decoded: [UInt8]) -> CacheEntry {
        var entry = self
        entry.representations = representations.holding(identity: decoded)
        return entry
    }

    /// The identity content, held or decoded (for ranges: a hit sends the representation's bytes).
    var identityContent: [UInt8] { representations.identityContent() ?? [] }
    var bodyLength: Int { representations.identityLength }
    var entityTag: String? { headerFields[.eTag] }
    var surrogateKeys: [Substring] { (headerFields[.surrogateKey] ?? "").split(separator: " ") }
    /// What the entry holds, as the cache's budget counts it.
    var size: Int {
        representations.heldBytes
            + headerFields.reduce(0) { $0 + $1.name.rawName.utf8.count + $1.value.utf8.count + 4 }
    }

    /// Hop-by-hop fields (RFC 9110 §7.6.1) and `Age` are not stored, nor `Set-Cookie`: a shared
    /// cache must not hand one client's cookie to the next.
    private static func storable(_ fields: HTTPFields) -> HTTPFields {
        var stored = fields.removingHopByHop()
        stored[.age] = nil
        stored[.setCookie] = nil
        return stored
    }
}
