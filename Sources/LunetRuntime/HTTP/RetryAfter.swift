import Foundation

/// `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
public enum RetryAfter {
    /// How long the server asks us to wait, measured from `now`; nil when
    /// the header is absent or unreadable. A date in the past means 0.
    public static func delay(_ value: String?, now: Date) -> Duration? {
        guard let raw = value?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        if raw.allSatisfy(\.isNumber) {
            guard let seconds = Int64(raw) else { return nil }  // absurdly large
            return .seconds(seconds)
        }
        if let seconds = Double(raw), seconds.isFinite, seconds >= 0 {  // "1.5": not standard, but seen
            return .milliseconds(Int64((seconds * 1000).rounded(.up)))
        }
        guard let date = parseHTTPDate(raw) else { return nil }
        let wait = date.timeIntervalSince(now)
        return wait <= 0 ? .zero : .milliseconds(Int64((wait * 1000).rounded(.up)))
    }

    /// IMF-fixdate, and the obsolete RFC 850 and asctime forms recipients
    /// must still accept.
    public static func parseHTTPDate(_ text: String) -> Date? {
        for format in formats {
            if let date = formatter(format).date(from: text) { return date }
        }
        return nil
    }

    public static func format(_ date: Date) -> String { formatter(formats[0]).string(from: date) }

    private static let formats = ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"]

    // DateFormatter is not Sendable; one per call keeps this thread-safe and
    // Retry-After dates are rare.
    private static func formatter(_ format: String) -> DateFormatter {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = format
        return f
    }
}
