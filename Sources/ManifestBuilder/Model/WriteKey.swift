/// What a write key may be, defined once for the rules, the store, the origin and the edge.
///
/// The browser puts the write key in a URL path (`/v1/projects/{writeKey}/settings`), so it is
/// limited to characters that need no escaping there and mean nothing to a path: 1 to
/// `maxLength` of `[A-Za-z0-9_-]`. No `/`, `..`, `%`, spaces, quotes, NUL, non-ASCII or BOM.
public enum WriteKey {
    /// The longest write key, in bytes (every allowed character is one byte).
    public static let maxLength = 128

    /// The alphabet, for messages.
    public static let alphabetDescription = "1 to 128 of A-Z, a-z, 0-9, '_' and '-'"

    /// Whether `key` is a write key that can be published and served.
    public static func isValid(_ key: some StringProtocol) -> Bool {
        let bytes = key.utf8
        guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
        return bytes.allSatisfy(isAllowed)
    }

    /// Whether one byte belongs to the alphabet.
    public static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default: false
        }
    }
}
