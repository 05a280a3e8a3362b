import ArgumentParser
import Foundation
import LunetRuntime

struct ReplCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Interactive Lua prompt (the default command).",
        discussion: "When standard input is not a terminal, it is run as a script, like `lunet run -`."
    )

    @OptionGroup var session: SessionOptions

    func run() throws {
        guard isatty(STDIN_FILENO) != 0 else {
            let status = ScriptRunner(session: session).run(.standardInput, arguments: [])
            if status != 0 { throw ExitCode(status) }
            return
        }
        let env = ProcessInfo.processInfo.environment
        let color = isatty(STDOUT_FILENO) != 0 && (env["NO_COLOR"] ?? "").isEmpty && env["TERM"] != "dumb"
        let context = try Session(session, scriptDirectory: nil, scriptName: "repl")
        defer { context.close() }
        let repl = ReplSession(
            runtime: context.runtime,
            editor: LineEditor(historyPath: LineEditor.defaultHistoryPath),
            color: color)
        repl.loop()
    }
}
