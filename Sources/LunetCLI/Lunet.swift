import ArgumentParser

struct Lunet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lunet",
        abstract: "Scriptable, interactive access to iCONECT, iCL Portal, CoreData and integrator.io, in Lua 5.4.",
        discussion: """
            Exit codes: 0 success, 1 the script raised an error, 2 usage or configuration error, \
            3 the lock is held by another run, 124 --timeout reached, 130 interrupted (Ctrl-C).
            """,
        version: LunetVersion.string,
        subcommands: [
            ReplCommand.self, RunCommand.self, TestCommand.self, SandboxCommand.self, StateCommand.self,
            ProfilesCommand.self, LoginCommand.self, SetupCommand.self,
        ],
        defaultSubcommand: ReplCommand.self
    )
}

enum LunetVersion {
    static let string = "0.1.0"
}

enum ExitStatus {
    static let success: Int32 = 0
    static let scriptError: Int32 = 1
    static let usage: Int32 = 2
    static let lockHeld: Int32 = 3
    static let timeout: Int32 = 124
    static let interrupted: Int32 = 130
}
