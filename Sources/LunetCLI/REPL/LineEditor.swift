@preconcurrency import CEditLine
import Foundation
import LunetRuntime

/// Line input for the REPL: libedit on a terminal, with a persistent,
/// size-limited history file.
final class LineEditor {
    let historyPath: String
    static let historyLimit: Int32 = 1000

    init(historyPath: String) {
        self.historyPath = historyPath
        using_history()
        stifle_history(Self.historyLimit)
        _ = read_history(historyPath)
    }

    /// One line without its newline, or nil at end of input (Ctrl-D).
    func readLine(prompt: String) -> String? {
        guard let raw = readline(prompt) else { return nil }
        defer { free(raw) }
        return String(cString: raw)
    }

    /// Record a whole chunk (possibly several lines) as one history entry.
    func remember(_ chunk: String) {
        let trimmed = chunk.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return }
        add_history(chunk)
    }

    func save() {
        let directory = (historyPath as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = write_history(historyPath)
    }

    static var defaultHistoryPath: String {
        XDGPaths(environment: ProcessInfo.processInfo.environment).lunetState + "/history"
    }
}
