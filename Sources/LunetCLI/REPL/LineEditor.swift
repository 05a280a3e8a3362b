@preconcurrency import CEditLine
import Foundation
import LunetRuntime

/// Line input for the REPL: libedit on a terminal, with a persistent,
/// size-limited history file (one entry per chunk, multi-line included),
/// Tab completion through `completer`, and Ctrl-C at the prompt clearing
/// the line instead of ending the process.
final class LineEditor {
    let historyPath: String
    static let historyLimit: Int32 = 1000

    /// What a read gave: a line, end of input (Ctrl-D), or Ctrl-C.
    enum Input: Equatable {
        case line(String)
        case end
        case interrupted
    }

    init(historyPath: String, completer: @escaping (_ line: String, _ word: String) -> [String]) {
        self.historyPath = historyPath
        LineEditorHooks.completer = completer
        rl_catch_signals = 0
        using_history()
        stifle_history(Self.historyLimit)
        _ = read_history(historyPath)
        // Word boundaries for completion: `a.b:c` and paths stay one word.
        rl_completer_word_break_characters = LineEditorHooks.wordBreaks
        rl_attempted_completion_function = LineEditorHooks.complete
    }

    func readLine(prompt: String) -> Input {
        LineEditorHooks.interrupted = 0
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in LineEditorHooks.interrupted = 1 }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0  // no SA_RESTART: the read returns, readline gives up the line
        sigaction(SIGINT, &action, nil)
        defer { signal(SIGINT, SIG_DFL) }
        guard let raw = readline(prompt) else {
            if LineEditorHooks.interrupted != 0 { return .interrupted }
            return .end
        }
        defer { free(raw) }
        if LineEditorHooks.interrupted != 0 { return .interrupted }
        return .line(String(cString: raw))
    }

    /// More input is already waiting (the rest of a pasted block).
    func inputPending(milliseconds: Int32 = 15) -> Bool {
        var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, milliseconds) > 0 && descriptor.revents & Int16(POLLIN) != 0
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
        _ = history_truncate_file(historyPath, Self.historyLimit)
    }

    static var defaultHistoryPath: String {
        XDGPaths(environment: ProcessInfo.processInfo.environment).lunetState + "/history"
    }
}

/// C callbacks cannot capture context: libedit runs on the one REPL thread,
/// so the hooks keep it in statics.
enum LineEditorHooks {
    nonisolated(unsafe) static var completer: ((String, String) -> [String])?
    nonisolated(unsafe) static var interrupted: sig_atomic_t = 0
    nonisolated(unsafe) static let wordBreaks: UnsafeMutablePointer<CChar> = strdup(" \t\n\"'(){}[],;=+*%^#<>~&|")

    /// rl_attempted_completion_function: [common prefix, matches…, NULL].
    static let complete: @convention(c) (UnsafePointer<CChar>?, Int32, Int32) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = {
        text, start, _ in
        rl_attempted_completion_over = 1
        guard let text, let completer else { return nil }
        let word = String(cString: text)
        let line = rl_line_buffer.map { String(cString: $0) } ?? word
        let head = String(decoding: Array(line.utf8).prefix(Int(rl_point)), as: UTF8.self)
        let matches = completer(head, word)
        guard !matches.isEmpty else { return nil }
        rl_completion_append_character = 0
        let list = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: matches.count + 2)
        list[0] = strdup(commonPrefix(matches))
        if matches.count == 1 {
            list[1] = nil
        } else {
            for (i, m) in matches.enumerated() { list[i + 1] = strdup(m) }
            list[matches.count + 1] = nil
        }
        _ = start
        return list
    }

    static func commonPrefix(_ words: [String]) -> String {
        guard var prefix = words.first else { return "" }
        for w in words.dropFirst() { prefix = String(zip(prefix, w).prefix { $0 == $1 }.map(\.0)) }
        return prefix
    }
}
