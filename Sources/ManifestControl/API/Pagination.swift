import Hummingbird
import ManifestBuilder

/// Cursor pagination: `?limit=&cursor=`. Items are ordered by a key (an id, a sequence); the
/// cursor is the last key of the page, base64url-encoded, so pages stay consistent when items
/// before the cursor are added or removed.
struct PageRequest: Sendable {
    var limit: Int
    var after: String?

    static func parse(_ request: Request, defaultLimit: Int, maxLimit: Int) throws(ControlError) -> PageRequest {
        let query = request.uri.queryParameters
        var limit = defaultLimit
        if let text = query["limit"] {
            guard let value = Int(text), (1...maxLimit).contains(value) else {
                throw .badRequest("limit must be an integer from 1 to \(maxLimit).")
            }
            limit = value
        }
        var after: String?
        if let cursor = query["cursor"] {
            guard let bytes = Base64URL.decode(String(cursor)), let key = String(validating: bytes, as: UTF8.self)
            else {
                throw .badRequest("cursor is not a cursor this API returned.")
            }
            after = key
        }
        return PageRequest(limit: limit, after: after)
    }

    /// One page of `items` (sorted by `key`) after the cursor, and the JSON `{items, next}`.
    func page<Item>(_ items: [Item], key: (Item) -> String, render: (Item) -> JSONValue) -> JSONValue {
        let remaining = after.map { after in items.filter { key($0) > after } } ?? items
        let page = remaining.prefix(limit)
        let next: JSONValue = remaining.count > limit ? .string(Base64URL.encode(Array(key(page.last!).utf8))) : .null
        return .object(["items": .array(page.map(render)), "next": next])
    }
}
