import NIOHPACK

/// RFC 9113 §8.2 and §8.3: whether a request's header block, or its trailers, is well formed.
///
/// `NIOHTTP2Handler` checks every header block itself, the edge's answers included, and that
/// check was a tenth of the time of an HTTP/2 cache hit (`bench/tls.sh`). The edge turns it off
/// and checks what it receives here, with the same rules: answers are built from fields that are
/// valid already (lower-case names, values without CR, LF or NUL, hop-by-hop fields removed).
/// A malformed request resets its stream with PROTOCOL_ERROR (RFC 9113 §8.1.1).
enum HTTP2RequestRules {
    /// The first header block of a stream.
    static func isWellFormedRequest(_ headers: HPACKHeaders) -> Bool {
        var seen: PseudoFields = []
        var inRegularFields = false
        var isConnect = false
        for (name, value, _) in headers {
            if name.utf8.first == UInt8(ascii: ":") {
                // Pseudo-header fields come first, once each, and only those of a request.
                guard !inRegularFields, let field = PseudoFields(requestField: name), !seen.contains(field),
                    isValidPseudoValue(value)
                else { return false }
                seen.insert(field)
                if field == .method { isConnect = value == "CONNECT" }
                if field == .path, value.isEmpty { return false }
            } else {
                inRegularFields = true
                guard isWellFormedRegular(name, value) else { return false }
            }
        }
        return isConnect ? seen == [.method, .authority] : seen.isSuperset(of: [.method, .scheme, .path])
    }

    /// A header block after the content: regular fields only.
    static func isWellFormedTrailers(_ headers: HPACKHeaders) -> Bool {
        headers.allSatisfy { name, value, _ in name.utf8.first != UInt8(ascii: ":") && isWellFormedRegular(name, value)
        }
    }

    private struct PseudoFields: OptionSet {
        let rawValue: UInt8
        static let method = PseudoFields(rawValue: 1)
        static let scheme = PseudoFields(rawValue: 2)
        static let authority = PseudoFields(rawValue: 4)
        static let path = PseudoFields(rawValue: 8)

        init(rawValue: UInt8) {
            self.rawValue = rawValue
        }

        init?(requestField name: String) {
            switch name {
            case ":method": self = .method
            case ":scheme": self = .scheme
            case ":authority": self = .authority
            case ":path": self = .path
            default: return nil
            }
        }
    }

    /// A lower-case token for a name (§8.2.1, RFC 9110 §5.1), not a connection-specific field
    /// (§8.2.2; `te` only as `trailers`), and a value without NUL, LF or CR (§8.2.1).
    private static func isWellFormedRegular(_ name: String, _ value: String) -> Bool {
        guard !name.isEmpty, name.utf8.allSatisfy(isLowercaseTokenCharacter) else { return false }
        switch name {
        case "connection", "transfer-encoding", "proxy-connection", "keep-alive", "upgrade": return false
        case "te" where value != "trailers": return false
        default: return !value.utf8.contains { $0 == 0x00 || $0 == 0x0A || $0 == 0x0D }
        }
    }

    /// A pseudo-header value without control characters, spaces or DEL: `:path` becomes a
    /// request target, where a space would split it.
    private static func isValidPseudoValue(_ value: String) -> Bool {
        !value.utf8.contains { $0 <= 0x20 || $0 == 0x7F }
    }

    private static func isLowercaseTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x21, 0x23...0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x30...0x39, 0x5E...0x7A, 0x7C, 0x7E: true
        default: false
        }
    }
}
