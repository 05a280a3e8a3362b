import CLuaShim
import Foundation
import LunetBridge
import LunetRuntime

enum ScriptSource {
    case file(String)
    case code(String)
    case standardInput

    /// arg[0] as `lua` sets it.
    var argumentZero: String {
        switch self {
        case .file(let p): p
        case .code: "-e"
        case .standardInput: "-"
        }
    }
}

/// Runs one main chunk to completion and maps the outcome to an exit code.
struct ScriptRunner {
    var timeout: Double?
    var session = SessionOptions()

    func run(_ source: ScriptSource, arguments: [String]) -> Int32 {
        let bytes: [UInt8]
        let chunkName: String
        var directory: String? = nil
        switch source {
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                Diagnostics.error("cannot open \(path): \(Self.whyUnreadable(path))")
                return ExitStatus.usage
            }
            bytes = Self.skippingShebang(Array(data))
            chunkName = "@" + path
            directory = (path as NSString).deletingLastPathComponent
            if directory!.isEmpty { directory = "." }
        case .code(let code):
            bytes = Array(code.utf8)
            chunkName = "=(command line)"
        case .standardInput:
            bytes = Self.skippingShebang(Array(FileHandle.standardInput.readDataToEndOfFile()))
            chunkName = "=stdin"
        }

        let session: Session
        do {
            session = try Session(self.session, scriptDirectory: directory, scriptName: source.argumentZero)
        } catch {
            return error.rawValue
        }
        let clock = ContinuousClock()
        let start = clock.now
        let status = execute(session, source: source, bytes: bytes, chunkName: chunkName, arguments: arguments)
        session.finish(status: status, duration: clock.now - start)
        return status
    }

    private func execute(
        _ session: Session, source: ScriptSource, bytes: [UInt8], chunkName: String, arguments: [String]
    ) -> Int32 {
        let runtime = session.runtime
        runtime.setArguments(script: source.argumentZero, arguments)
        let lua = runtime.lua
        lunet_catchsigint(lua.L)
        defer { lunet_releasesigint() }
        let timer = timeout.map { Self.startTimer(seconds: $0, handle: lua.interruptHandle) }
        defer { timer?.cancel() }

        do {
            let failures = try runtime.runMain(bytes, chunkName: chunkName, arguments: arguments)
            lunet_flush_stdout()
            for failure in failures { Diagnostics.taskError(failure) }
            return failures.isEmpty ? ExitStatus.success : ExitStatus.scriptError
        } catch {
            lunet_flush_stdout()
            Diagnostics.scriptError(error)
            switch error.kind {
            case .interrupted: return ExitStatus.interrupted
            case .timedOut: return ExitStatus.timeout
            default: return ExitStatus.scriptError
            }
        }
    }

    /// Interrupts the Lua state behind `handle` after `seconds`, saying that
    /// `what` (e.g. "tests") stopped after the --timeout `limit` (default: `seconds`).
    static func startTimer(
        seconds: Double, handle: InterruptHandle, what: String? = nil, limit: Double? = nil
    ) -> DispatchSourceTimer {
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + max(seconds, 0.001))
        let limit = limit ?? seconds
        let shown = limit == limit.rounded() ? String(Int(limit)) : String(limit)
        let message = "timeout: \(what.map { $0 + " " } ?? "")stopped after \(shown) s (--timeout \(shown))"
        timer.setEventHandler { handle.interrupt(timeout: true, message: message) }
        timer.resume()
        return timer
    }

    /// A first line starting with '#' is skipped (kept as an empty line so
    /// line numbers stay right), as `lua` does for `#!/usr/bin/env lunet`.
    static func skippingShebang(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.first == UInt8(ascii: "#") else { return bytes }
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return [] }
        return Array(bytes[newline...])
    }

    static func whyUnreadable(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return "no such file" }
        if isDirectory.boolValue { return "is a directory" }
        return "permission denied"
    }
}

enum Diagnostics {
    static func error(_ message: String) {
        lunet_write_stderr("lunet: \(message)\n")
    }

    /// A spawned task that failed with nobody waiting for it.
    static func taskError(_ failure: TaskScheduler.Failure) {
        var error = failure.error
        error.message = "task \(failure.taskID) failed: " + error.message
        scriptError(error)
    }

    /// "lunet: script.lua:3: boom" and, for runtime errors, the traceback.
    static func scriptError(_ error: LuaScriptError) {
        var text = "lunet: \(error.message)\n"
        if let traceback = error.traceback, error.kind != .syntax {
            let full = ProcessInfo.processInfo.environment["LUNET_TRACEBACK"] == "full"
            text += (full ? traceback : scriptFrames(traceback)) + "\n"
        }
        lunet_write_stderr(text)
    }

    /// The traceback without the frames inside lunet's own Lua modules
    /// (stdlib/lunet/…) and the C calls between them, which say where the
    /// binding waited rather than where the script went wrong; a last line
    /// counts what was left out. LUNET_TRACEBACK=full keeps everything.
    static func scriptFrames(_ traceback: String) -> String {
        let lines = traceback.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func isLunet(_ line: String) -> Bool { line.contains("stdlib/lunet/") }
        func isC(_ line: String) -> Bool { line.trimmingCharacters(in: .whitespaces).hasPrefix("[C]:") }
        var keep = [Bool](repeating: true, count: lines.count)
        for (i, line) in lines.enumerated() where isLunet(line) { keep[i] = false }
        // C frames next to a hidden run (the binding's `wait`, `error`, a `for iterator`)
        for (i, line) in lines.enumerated() where isC(line) {
            var j = i - 1
            while j >= 0 && isC(lines[j]) { j -= 1 }
            var k = i + 1
            while k < lines.count && isC(lines[k]) { k += 1 }
            if (j >= 0 && isLunet(lines[j])) || (k < lines.count && isLunet(lines[k])) { keep[i] = false }
        }
        let hidden = keep.filter { !$0 }.count
        let frames = lines.filter { $0.hasPrefix("\t") }.count
        guard hidden > 0, hidden < frames else { return traceback }
        var out = zip(lines, keep).filter(\.1).map(\.0)
        out.append("\t(\(hidden) frame\(hidden == 1 ? "" : "s") inside lunet's modules not shown; LUNET_TRACEBACK=full shows them)")
        return out.joined(separator: "\n")
    }
}
