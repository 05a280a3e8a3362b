import Foundation

/// The progress line of an upload on a terminal (stderr): bytes done of the
/// total, rate and time left, redrawn at most ten times a second. Nothing
/// at all when stderr is not a terminal.
public final class ChunkedUploadProgress: @unchecked Sendable {
    private let label: String
    private let total: Int64
    private let enabled: Bool
    private let lock = NSLock()
    private let started = ContinuousClock.now
    private var startBytes: Int64?
    private var lastDraw: ContinuousClock.Instant?
    private var drawn = false

    public init(label: String, total: Int64, enabled: Bool = ChunkedUploadProgress.terminal) {
        self.label = label
        self.total = total
        self.enabled = enabled
    }

    public static var terminal: Bool {
        isatty(STDERR_FILENO) != 0 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    /// `done` bytes acknowledged so far (a resumed upload starts above 0;
    /// the rate counts only what this run sent).
    public func update(done: Int64, final: Bool = false) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = ContinuousClock.now
        if startBytes == nil { startBytes = done }
        if !final, let lastDraw, now - lastDraw < .milliseconds(100) { return }
        lastDraw = now
        let line = Self.line(label: label, done: done, total: total, sent: done - (startBytes ?? 0), elapsed: now - started)
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line + (final ? "\n" : "")).utf8))
        drawn = !final
    }

    /// End the line (after a failure too, so messages start on their own line).
    public func finish() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
        drawn = false
    }

    /// "name  [#######·······]  12.0 MiB / 64.0 MiB  5.2 MiB/s  ETA 0:10"
    static func line(label: String, done: Int64, total: Int64, sent: Int64, elapsed: Duration) -> String {
        let width = 24
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Double(sent) / seconds : 0
        var text = "\(label)  [\(bar)] \(Int(fraction * 100))%  \(size(done)) / \(size(total))"
        if rate > 0 {
            text += "  \(size(Int64(rate)))/s"
            let left = Double(total - done) / rate
            if left.isFinite, done < total { text += "  ETA \(clock(left))" }
        }
        return text
    }

    static func size(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded(.up))
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
