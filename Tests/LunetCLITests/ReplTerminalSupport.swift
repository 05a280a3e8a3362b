import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `lunet repl` on a pseudo-terminal, driven the way a person would drive
/// it: lines typed with pauses (so they are not taken for a paste), Tab,
/// Ctrl-C and Ctrl-D sent as the terminal sends them. The child is spawned
/// in a session of its own and opens the pty's slave side first, so the
/// pty is its controlling terminal and Ctrl-C (byte 3) becomes SIGINT
/// through the line discipline, as on a real terminal. Everything blocking
/// runs on a thread of its own (never on Swift's cooperative pool): use
/// `ReplTerminal.session { term in … }`.
final class ReplTerminal: @unchecked Sendable {
    private var pid: pid_t = 0
    private let master: Int32
    private let lock = NSLock()
    private var output = Data()
    private let readerDone = DispatchSemaphore(value: 0)
    private(set) var exitStatus: Int32?

    init(arguments: [String], environment: [String: String]) throws {
        var m: Int32 = 0
        var s: Int32 = 0
        var size = winsize(ws_row: 50, ws_col: 120, ws_xpixel: 0, ws_ypixel: 0)
        var name = [CChar](repeating: 0, count: 256)
        guard openpty(&m, &s, &name, nil, &size) == 0 else { throw CocoaError(.fileReadUnknown) }
        master = m
        let slaveName = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        close(s)
        var env = ProcessInfo.processInfo.environment
        env["TERM"] = "xterm"
        env["NO_COLOR"] = "1"
        env["LUNET_CONFIG"] = ""
        for (k, v) in environment { env[k] = v }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // POSIX_SPAWN_SETSID (0x80): a new session, so the first terminal it
        // opens becomes its controlling terminal.
        posix_spawnattr_setflags(&attributes, Int16(0x80 | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, slaveName, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        posix_spawn_file_actions_addclose(&actions, m)

        let argv = ([LunetProcess.binary] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        let status = posix_spawn(&pid, LunetProcess.binary, &actions, &attributes, argv, envp)
        guard status == 0 else { close(m); throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EIO) }
        let fd = master
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = read(fd, &buffer, buffer.count)
                if n <= 0 { break }
                lock.lock()
                output.append(contentsOf: buffer[0..<n])
                lock.unlock()
            }
            readerDone.signal()
        }
    }

    /// Start a REPL, run `body` on a dedicated thread, always end the child.
    static func session<T: Sendable>(
        _ arguments: [String] = ["repl"], environment: [String: String] = [:],
        _ body: @escaping @Sendable (ReplTerminal) throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    let term = try ReplTerminal(arguments: arguments, environment: environment)
                    defer { term.stop() }
                    return try body(term)
                })
            }
        }
    }

    /// Everything the terminal showed so far, raw (escape sequences included).
    var raw: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: output, as: UTF8.self)
    }

    /// What the terminal showed, without escape sequences and carriage returns.
    var text: String {
        var s = raw
        for pattern in ["\u{1B}\\[[0-9;?]*[ -/]*[@-~]", "\u{1B}[()][A-Za-z0-9]", "\u{1B}[=>78]", "\r", "\u{7}"] {
            s = s.replacingOccurrences(of: pattern, with: "", options: .regularExpression)
        }
        return s
    }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBufferPointer { write(master, $0.baseAddress, $0.count) }
    }

    /// Type one line and Enter, then pause (longer than the paste window).
    func type(_ line: String) {
        send(line + "\r")
        Thread.sleep(forTimeInterval: 0.25)
    }

    /// Wait until `needle` has appeared `count` times; false on timeout.
    @discardableResult
    func waitFor(_ needle: String, count: Int = 1, timeout: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if text.components(separatedBy: needle).count - 1 >= count { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    private func reap() -> Bool {
        if exitStatus != nil { return true }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return false }
        // WIFEXITED: the low 7 bits are 0; WEXITSTATUS: the next 8
        exitStatus = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return true
    }

    /// Ctrl-D on an empty line; the exit status, or nil if it did not exit.
    func finish(timeout: Double = 20) -> Int32? {
        send("\u{4}")
        let deadline = Date().addingTimeInterval(timeout)
        while !reap() && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        return exitStatus
    }

    func stop() {
        if !reap() {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        close(master)
        _ = readerDone.wait(timeout: .now() + 2)
    }
}
