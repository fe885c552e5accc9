import ArgumentParser

/// Range checks for numeric options, for `validate()`: a value out of range is a
/// `ValidationError` (usage and exit 64) before anything runs, never a trap later in an
/// integer conversion.
enum OptionChecks {
    /// `value` within `range`.
    static func require<Value: Comparable>(_ value: Value, in range: ClosedRange<Value>, _ option: String) throws {
        guard range.contains(value) else {
            throw ValidationError("\(option) must be from \(range.lowerBound) to \(range.upperBound), not \(value)")
        }
    }

    /// A finite `value` within `range` (so neither nan nor inf).
    static func require(_ value: Double, in range: ClosedRange<Double>, _ option: String) throws {
        guard value.isFinite, range.contains(value) else {
            throw ValidationError(
                "\(option) must be a number from \(range.lowerBound) to \(range.upperBound), not \(value)")
        }
    }

    /// A finite `value` above 0 and at most `maximum`.
    static func requirePositive(_ value: Double, atMost maximum: Double, _ option: String) throws {
        guard value.isFinite, value > 0, value <= maximum else {
            throw ValidationError("\(option) must be a number above 0 and at most \(maximum), not \(value)")
        }
    }

    /// The valid TCP ports (0 picks a free one).
    static let ports = 0...65535
}
