import Foundation

/// The last sequence of the invalidation stream a relay purged, kept in a file (`--state`) so
/// that a restarted relay resumes where it stopped instead of banning everything.
///
/// The file holds the number as decimal text. It is replaced by a rename, so a crash leaves
/// the old number or the new one, never a torn one; an old number only repeats purges.
public struct SequenceFile: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The sequence saved, or nil when there is no file yet. A file that holds anything else
    /// is an error: guessing could skip events.
    public func read() throws -> Int64? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let sequence = Int64(text), sequence >= 0 else { throw SequenceFileError(path: path, content: text) }
        return sequence
    }

    /// Saves `sequence`, replacing what was there.
    public func write(_ sequence: Int64) throws {
        let url = URL(fileURLWithPath: path)
        try Data("\(sequence)\n".utf8).write(to: url, options: .atomic)
    }
}

/// A state file that does not hold a sequence number.
public struct SequenceFileError: Error, CustomStringConvertible {
    public let path: String
    public let content: String

    public var description: String {
        "\(path) does not hold a stream sequence (a number of 0 or more): \(content.prefix(40).debugDescription)"
    }
}
