/// CoreData's timestamps: whole seconds, UTC. Responses write them as the
/// seed's sample objects do, without a zone (`2024-02-26T12:17:21`); filters
/// accept ISO 8601 with or without `Z` or an offset.
///
/// Hand-written (no DateFormatter) so it is exact, fast and thread-safe.
enum CoreDataTime {
    /// `2024-02-26T12:17:21` for seconds since 1970 (UTC).
    static func format(_ seconds: Int64) -> String {
        let days = floorDiv(seconds, 86_400)
        let rest = seconds - days * 86_400
        let (y, m, d) = civil(fromDays: days)
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T" + pad(rest / 3600, 2) + ":"
            + pad(rest % 3600 / 60, 2) + ":" + pad(rest % 60, 2)
    }

    /// Seconds since 1970 for `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]]`
    /// with an optional `Z` or `±HH:MM`; nil when malformed. A space may stand
    /// for the `T`, and for the `+` of an offset (an unescaped `+` in a query
    /// string arrives as a space).
    static func parse(_ text: String) -> Double? {
        var s = Substring(text)
        guard let year = digits(&s, 4), take(&s, "-"), let month = digits(&s, 2), take(&s, "-"),
            let day = digits(&s, 2), (1...12).contains(month), (1...daysIn(month, year: year)).contains(day)
        else { return nil }
        var seconds = Double(daysFromCivil(year, month, day) * 86_400)
        if s.isEmpty { return seconds }
        guard take(&s, "T") || take(&s, " "), let hour = digits(&s, 2), take(&s, ":"), let minute = digits(&s, 2),
            hour < 24, minute < 60
        else { return nil }
        seconds += Double(hour * 3600 + minute * 60)
        if take(&s, ":") {
            guard let second = digits(&s, 2), second < 60 else { return nil }
            seconds += Double(second)
            if take(&s, ".") {
                let fraction = s.prefix { $0.isASCII && $0.isNumber }
                guard !fraction.isEmpty, let value = Double("0." + fraction) else { return nil }
                s = s.dropFirst(fraction.count)
                seconds += value
            }
        }
        if s.isEmpty || s == "Z" || s == "z" { return seconds }
        guard let sign = s.first, sign == "+" || sign == "-" || sign == " " else { return nil }
        s = s.dropFirst()
        guard let offsetHours = digits(&s, 2) else { return nil }
        _ = take(&s, ":")
        guard let offsetMinutes = digits(&s, 2), s.isEmpty, offsetHours < 24, offsetMinutes < 60 else { return nil }
        let offset = Double(offsetHours * 3600 + offsetMinutes * 60)
        return sign == "-" ? seconds + offset : seconds - offset
    }

    // MARK: Calendar arithmetic (Howard Hinnant's days-from-civil)

    static func daysFromCivil(_ year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func daysIn(_ month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : (a - b + 1) / b
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    private static func digits(_ s: inout Substring, _ count: Int) -> Int64? {
        let head = s.prefix(count)
        guard head.count == count, head.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(head) else {
            return nil
        }
        s = s.dropFirst(count)
        return value
    }

    private static func take(_ s: inout Substring, _ character: Character) -> Bool {
        guard s.first == character else { return false }
        s = s.dropFirst()
        return true
    }
}
