import ArgumentParser
import Foundation

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

    @OptionGroup var session: SessionOptions

    @Argument(parsing: .captureForPassthrough, help: "The script (or - for standard input) and its arguments.")
    var scriptAndArguments: [String] = []

    func validate() throws {
        if let timeout, !(timeout > 0 && timeout.isFinite) {
            throw ValidationError("--timeout must be a positive number of seconds, got \(timeout)")
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
        let status = ScriptRunner(timeout: timeout, session: session).run(script, arguments: arguments)
        if status != 0 { throw ExitCode(status) }
    }
}
