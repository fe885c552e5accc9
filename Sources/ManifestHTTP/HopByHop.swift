import HTTPTypes

extension HTTPFields {
    /// The fields that belong to one connection (RFC 9110 §7.6.1), which a proxy neither
    /// forwards nor stores: `Connection` and every field it names, and the fields defined as
    /// hop-by-hop (`Keep-Alive`, `Proxy-Connection`, `TE`, `Transfer-Encoding`, `Upgrade`, and
    /// the proxy's own `Proxy-Authenticate` / `Proxy-Authorization`). `Trailer` goes too: a
    /// proxy that forwards a whole body re-frames it.
    package func removingHopByHop() -> HTTPFields {
        var fields = self
        let named = self[values: .connection].flatMap { $0.split(separator: ",") }
            .compactMap { HTTPField.Name(String($0).trimmingCharacters(in: [" ", "\t"])) }
        for name in Self.hopByHop + named {
            fields[name] = nil
        }
        return fields
    }

    private static let hopByHop: [HTTPField.Name] = [
        .connection, .transferEncoding, .upgrade, .te, .trailer, .proxyAuthenticate, .proxyAuthorization,
        HTTPField.Name("Keep-Alive")!, HTTPField.Name("Proxy-Connection")!,
    ]
}
