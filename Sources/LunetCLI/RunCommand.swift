import ArgumentParser
import Foundation
import LunetRuntime

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a Lua script.",
        discussion: """
            lunet run SCRIPT [ARGS...]   run a file; `arg[0]` is SCRIPT, `arg[1]`... its arguments
            lunet run -e CODE [ARGS...]  run CODE (chunk name "(command line)")
            lunet run - [ARGS...]        read the script from standard input
            Options after SCRIPT belong to the script.
            """
    )

    @Option(name: .customShort("e"), help: ArgumentHelp("Run CODE instead of a script file.", valueName: "CODE"))
    var code: String?

    @Option(help: ArgumentHelp("Stop the script after SECONDS (exit code 124).", valueName: "SECONDS"))
    var timeout: Double?

    @Option(help: ArgumentHelp(
        "Refuse to start (exit code 3) while another run holds lock NAME; released when this run ends, also on a crash.",
        valueName: "NAME"))
    var lock: String?

    @OptionGroup var session: SessionOptions

    @Argument(parsing: .captureForPassthrough, help: "The script (or - for standard input) and its arguments.")
    var scriptAndArguments: [String] = []

    static func validateTimeout(_ timeout: Double?) throws {
        if let timeout, !(timeout > 0 && timeout.isFinite) {
            throw ValidationError("--timeout must be a positive number of seconds, got \(timeout)")
        }
    }

    func validate() throws {
        try Self.validateTimeout(timeout)
        if let lock, let problem = RunLock.problem(lock) { throw ValidationError(problem) }
        // `lunet run --help`: the passthrough argument would take it for a script.
        if code == nil, let first = scriptAndArguments.first, first == "--help" || first == "-h" {
            throw CleanExit.helpRequest(self)
        }
        if code == nil && scriptAndArguments.isEmpty {
            throw ValidationError("missing SCRIPT (a file, '-' for standard input, or -e CODE)")
        }
    }

    func run() throws {
        let script: ScriptSource
        var arguments = scriptAndArguments
        if let code {
            script = .code(code)
        } else {
            let path = arguments.removeFirst()
            script = path == "-" ? .standardInput : .file(path)
        }
        let held = try lock.map(Self.takeLock)
        defer { held?.release() }
        let status = ScriptRunner(timeout: timeout, session: session).run(script, arguments: arguments)
        if status != 0 { throw ExitCode(status) }
    }

    /// Take `--lock NAME` in the state store, or exit with 3 naming the holder.
    private static func takeLock(_ name: String) throws -> any StateLock {
        let store = try StateCommand.openStore(override: nil)
        let outcome: RunLock.Outcome
        do {
            outcome = try blockingAwait { try await RunLock.acquire(name, in: store) }
        } catch {
            Diagnostics.error("--lock \(name): \(error)")
            throw ExitCode(ExitStatus.scriptError)
        }
        switch outcome {
        case .acquired(let lock):
            return lock
        case .held(let holder):
            Diagnostics.error(RunLock.heldMessage(name, holder: holder, location: store.location))
            throw ExitCode(ExitStatus.lockHeld)
        }
    }
}
