import HTTPTypes
import ManifestHTTP

/// What of a client's request the edge uses: the target it caches under, and the fields it
/// sends upstream.
struct RequestPolicy: Sendable {
    let forwarded: [HTTPField.Name]
    let queryFreePrefixes: [String]

    init(_ configuration: EdgeConfiguration) {
        forwarded = configuration.forwardedRequestFields
        queryFreePrefixes = configuration.queryFreePrefixes
    }

    /// The target without its query on query-free paths; unchanged otherwise.
    func target(_ target: String) -> String {
        guard let question = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return target }
        let path = target[..<question]
        guard queryFreePrefixes.contains(where: { path.hasPrefix($0) }) else { return target }
        return String(path)
    }

    /// The allow-listed fields of the client's request, less its validators and ranges (the
    /// edge revalidates with those of what it stores, and serves ranges itself), and the edge's
    /// `Surrogate-Capability`: it purges by the `Surrogate-Key` of what it stores.
    func upstreamFields(_ fields: HTTPFields) -> HTTPFields {
        var upstream = HTTPFields()
        for name in forwarded where ![.ifNoneMatch, .ifModifiedSince, .range, .ifRange].contains(name) {
            for value in fields[values: name] { upstream.append(HTTPField(name: name, value: value)) }
        }
        upstream[.userAgent] = "manifest-edge"
        upstream.append(SurrogateKeys.capability)
        return upstream
    }
}
