import Foundation

/// IMF-fixdate, the HTTP date format (RFC 9110 §5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`.
package enum HTTPDate {
    package static func format(_ date: Date) -> String {
        let parts = utcCalendar.dateComponents([.weekday, .day, .month, .year, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        // Four digits, as IMF-fixdate requires (the fuzzer found year 995 written as "995").
        let year = String(parts.year ?? 1970)
        let fourDigitYear = String(repeating: "0", count: max(0, 4 - year.count)) + year
        let weekday = weekdays[((parts.weekday ?? 1) - 1) % 7]
        let month = months[((parts.month ?? 1) - 1) % 12]
        return
            "\(weekday), \(two(parts.day)) \(month) \(fourDigitYear) \(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) GMT"
    }

    /// Reads an IMF-fixdate, exactly (`Sun, 06 Nov 1994 08:49:37 GMT`: two-digit day and time
    /// fields in range, a four-digit year); nil for anything else, which RFC 9111 treats as
    /// already expired for `Expires`. Strict, so that no value reaches the calendar with fields
    /// it would have to normalise (or overflow on).
    package static func parse(_ value: String) -> Date? {
        let parts = value.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[5] == "GMT", parts[0].count == 4, parts[0].last == ",",
            weekdays.contains(String(parts[0].dropLast())),
            let day = digits(parts[1], count: 2), (1...31).contains(day),
            let month = months.firstIndex(of: String(parts[2])).map({ $0 + 1 }),
            let year = digits(parts[3], count: 4)
        else { return nil }
        let time = parts[4].split(separator: ":", omittingEmptySubsequences: false)
        guard time.count == 3, let hour = digits(time[0], count: 2), let minute = digits(time[1], count: 2),
            let second = digits(time[2], count: 2), hour < 24, minute < 60, second < 61
        else { return nil }
        return utcCalendar.date(
            from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))
    }

    /// The value of exactly `count` ASCII digits.
    private static func digits(_ text: Substring, count: Int) -> Int? {
        guard text.utf8.count == count, text.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return Int(text)
    }

    private static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        return calendar
    }()
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}
