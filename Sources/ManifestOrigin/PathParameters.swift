import Foundation
import ManifestBuilder

// Validation of path parameters.

extension OriginController {
    /// The write key of a path, percent-decoded, when it is a valid `WriteKey`.
    static func writeKey(_ raw: String?) -> String? {
        guard let decoded = raw?.removingPercentEncoding, WriteKey.isValid(decoded) else { return nil }
        return decoded
    }

    /// A version written as a positive decimal integer, without sign or leading zeros, so that
    /// each version has exactly one URL (one cache entry).
    static func version(_ raw: String?) -> Int? {
        guard let raw, let first = raw.utf8.first, first != UInt8(ascii: "0"), raw.utf8.count <= 18,
            raw.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        return Int(raw)
    }
}
