import Foundation

/// The origin's `/v1/subscribers` answer: each edge that follows the invalidation stream, the
/// last publish sequence it has applied (the `after` of its latest long poll), and when it last
/// asked. What the operator console turns into "n of m edges serve the new version".
public struct SubscriberList: Codable, Sendable, Hashable {
    public struct Subscriber: Codable, Sendable, Hashable {
        /// The edge's name (`manifest serve edge --name`).
        public var name: String
        public var applied: Int64
        public var seenAt: Date

        public init(name: String, applied: Int64, seenAt: Date) {
            self.name = name
            self.applied = applied
            self.seenAt = seenAt
        }
    }

    public var subscribers: [Subscriber]

    public init(subscribers: [Subscriber]) {
        self.subscribers = subscribers
    }

    /// The query parameter a subscriber names itself with on `/v1/events`.
    public static let nameParameter = "edge"

    /// Whether `name` may name a subscriber: 1 to 64 letters, digits, `.`, `_`, `:` or `-`.
    public static func isValidName(_ name: some StringProtocol) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2E || byte == 0x5F || byte == 0x3A || byte == 0x2D
            }
    }

    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
