import Foundation

/// The two time formats Lunet writes: ISO 8601 in UTC with milliseconds
/// (JSON logs, `updated_at` in the state store) and a local wall clock
/// (human log lines). Built on gmtime_r/localtime_r: thread-safe, no
/// formatter objects to share between threads.
public enum Timestamp {
    /// "2026-11-24T12:04:05.123Z"
    public static func iso8601(_ date: Date) -> String {
        let (seconds, millis) = split(date)
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), millis)
    }

    /// "12:04:05", local time.
    public static func clock(_ date: Date) -> String {
        var t = time_t(split(date).seconds)
        var parts = tm()
        localtime_r(&t, &parts)
        return String(format: "%02d:%02d:%02d", Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    /// "2026-11-24 12:04:05", local time.
    public static func localDateTime(_ date: Date) -> String {
        var t = time_t(split(date).seconds)
        var parts = tm()
        localtime_r(&t, &parts)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    /// Parse what `iso8601` writes (milliseconds optional).
    public static func parse(_ text: String) -> Date? {
        let b = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var n = 0
            for c in b[from..<from + count] {
                guard c >= 48 && c <= 57 else { return nil }
                n = n * 10 + Int(c - 48)
            }
            return n
        }
        guard b.count >= 20, let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2)
        else { return nil }
        var millis = 0
        if b[19] == UInt8(ascii: ".") {
            guard let m = number(20, 3) else { return nil }
            millis = m
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return Date(timeIntervalSince1970: Double(timegm(&parts)) + Double(millis) / 1000)
    }

    private static func split(_ date: Date) -> (seconds: Int, millis: Int) {
        // Via whole microseconds: 1795521845.123 * 1000 is 1795521845122.99…
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let totalMillis = Int((micros / 1000).rounded(.down))
        let seconds = totalMillis >= 0 ? totalMillis / 1000 : (totalMillis - 999) / 1000
        return (seconds, totalMillis - seconds * 1000)
    }
}
