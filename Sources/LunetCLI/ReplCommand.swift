import ArgumentParser
import Foundation
import LunetRuntime

struct ReplCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Interactive Lua prompt (the default command).",
        discussion: """
            With --profile P (or the default profile) the services P configures are globals, connected on \
            first use: portal (iCL Portal), ic (iCONECT), cd (CoreData), celigo (integrator.io); with \
            --sandbox all four, against the built-in emulators seeded with their demo data. $XDG_CONFIG_HOME/lunet/replrc.lua runs first. \
            When standard input is not a terminal, it is run as a script, like `lunet run -`. See docs/repl.md.
            """
    )

    @OptionGroup var session: SessionOptions

    func run() throws {
        guard isatty(STDIN_FILENO) != 0 else {
            let status = ScriptRunner(session: session).run(.standardInput, arguments: [])
            if status != 0 { throw ExitCode(status) }
            return
        }
        let env = ProcessInfo.processInfo.environment
        let paths = XDGPaths(environment: env)
        let context = try Session(session, scriptDirectory: nil, scriptName: "repl", seed: "demo")
        defer { context.close() }
        var options = ReplSession.Options()
        options.color = isatty(STDOUT_FILENO) != 0 && (env["NO_COLOR"] ?? "").isEmpty && env["TERM"] != "dumb"
        options.width = Self.terminalWidth(env)
        options.historyPath = paths.lunetState + "/history"
        let (services, where_) = Self.services(context, inProcessSandbox: session.sandbox)
        options.services = services
        let repl: ReplSession
        do {
            repl = try ReplSession(runtime: context.runtime, options: options)
        } catch {
            Diagnostics.scriptError(error)
            throw ExitCode(ExitStatus.scriptError)
        }
        repl.runStartupFile(paths.lunetConfig + "/replrc.lua")
        var banner = "Lunet \(LunetVersion.string) (Lua 5.4)"
        if let where_ {
            banner += " · \(where_)"
            banner += repl.connections.isEmpty ? " (no services configured)" : ": " + repl.connections.joined(separator: ", ")
        }
        banner += " · help() · Tab completes · Ctrl-C stops a call · Ctrl-D exits"
        repl.loop(banner: banner)
    }

    /// The services to expose: all with a sandbox (--sandbox, which starts
    /// one with demo data, or --sandbox-url / LUNET_SANDBOX_URL, which name a
    /// running one), else those the selected profile configures. Also says
    /// where they point, for the banner.
    static func services(_ context: Session, inProcessSandbox: Bool) -> ([String], String?) {
        if let url = context.runtime.sandboxURL {
            return (ServiceName.allCases.map(\.rawValue), (inProcessSandbox ? "sandbox with demo data " : "sandbox ") + url)
        }
        guard let configuration = try? context.runtime.config.configuration(),
            let selection = try? configuration.selectProfile()
        else { return ([], nil) }
        let services = selection.profile.map { $0.services.keys.map(\.rawValue).sorted() } ?? []
        if selection.profile == nil && services.isEmpty { return ([], nil) }
        return (services, "profile \(selection.name)")
    }

    static func terminalWidth(_ env: [String: String]) -> Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
        if let columns = env["COLUMNS"].flatMap(Int.init), columns > 20 { return columns }
        return 100
    }
}
