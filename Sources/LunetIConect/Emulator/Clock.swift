import Foundation

/// Seconds since 1970 and the ISO 8601 text the API shows.
enum Clock {
    static var now: Double { Date().timeIntervalSince1970 }

    static func iso(_ seconds: Double) -> String {
        Date(timeIntervalSince1970: seconds.rounded(.down)).ISO8601Format()
    }

    static var nowISO: String { iso(now) }

    static func parse(_ text: String) -> Double? {
        if let date = try? Date(text, strategy: .iso8601) { return date.timeIntervalSince1970 }
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        if let date = try? Date(text, strategy: withFraction) { return date.timeIntervalSince1970 }
        return nil
    }
}
