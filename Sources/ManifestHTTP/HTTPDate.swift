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

    /// Reads an IMF-fixdate, or the obsolete RFC 850 and asctime forms a recipient must accept
    /// (RFC 9110 §5.6.7); nil for anything else (RFC 9111 treats a bad `Expires` as expired).
    package static func parse(_ value: String) -> Date? {
        // IMF-fixdate and RFC 850 have single spaces; asctime pads a one-digit day with a second.
        let exact = value.split(separator: " ", omittingEmptySubsequences: false)
        let parts = exact.count == 6 || exact.count == 4 ? exact : value.split(separator: " ")
        switch parts.count {
        case 6:  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
            guard exact.count == 6, parts[0].hasSuffix(","), weekdays.contains(String(parts[0].dropLast())),
                parts[5] == "GMT",
                parts[1].count == 2, parts[3].count == 4
            else { return nil }
            return date(day: parts[1], month: parts[2], year: parts[3], time: parts[4])
        case 4:  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
            let dayMonthYear = parts[1].split(separator: "-")
            guard exact.count == 4, parts[0].hasSuffix(","), parts[3] == "GMT", dayMonthYear.count == 3,
                dayMonthYear[2].count == 2,
                let twoDigitYear = Int(dayMonthYear[2])
            else { return nil }
            // RFC 9110 §5.6.7: a two-digit year more than 50 years in the future is in the past century.
            let year = twoDigitYear + (twoDigitYear < 70 ? 2000 : 1900)
            return date(day: dayMonthYear[0], month: dayMonthYear[1], year: Substring(String(year)), time: parts[2])
        case 5:  // asctime: Sun Nov  6 08:49:37 1994
            guard weekdays.contains(String(parts[0])) else { return nil }
            return date(day: parts[2], month: parts[1], year: parts[4], time: parts[3])
        default:
            return nil
        }
    }

    private static func date(day: Substring, month: Substring, year: Substring, time: Substring) -> Date? {
        // Strict digits, so that no value reaches the calendar with fields it would have to
        // normalise (or overflow on).
        guard let day = digits(day, count: day.count == 1 ? 1 : 2), (1...31).contains(day),
            let year = digits(year, count: 4),
            let month = months.firstIndex(of: String(month)).map({ $0 + 1 })
        else { return nil }
        let clock = time.split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3, let hour = digits(clock[0], count: 2), let minute = digits(clock[1], count: 2),
            let second = digits(clock[2], count: 2), hour < 24, minute < 60, second < 61
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
