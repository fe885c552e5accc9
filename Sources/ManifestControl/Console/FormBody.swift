import Foundation
import Hummingbird

/// An `application/x-www-form-urlencoded` body, as browsers send HTML forms.
struct FormBody: Sendable {
    private(set) var pairs: [(String, String)] = []

    init(_ text: String) {
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let halves = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            pairs.append((Self.decode(halves[0]), halves.count > 1 ? Self.decode(halves[1]) : ""))
        }
    }

    /// Reads the body of `request`; a larger body than `limit` is refused with 413.
    static func read(_ request: Request, limit: Int) async throws -> FormBody {
        let buffer = try await request.body.collect(upTo: limit)
        return FormBody(String(decoding: buffer.readableBytesView, as: UTF8.self))
    }

    /// The first value of `name`, or nil when the form did not send it.
    subscript(_ name: String) -> String? {
        pairs.first { $0.0 == name }?.1
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
