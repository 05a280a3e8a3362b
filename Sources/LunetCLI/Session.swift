import ArgumentParser
import CLuaShim
import Foundation
import LunetRuntime
import LunetSandbox

/// Options every command that runs Lua shares (run, repl; test later).
struct SessionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Use configuration profile NAME (else LUNET_PROFILE, default_profile, default).", valueName: "NAME"))
    var profile: String?

    @Option(name: .customLong("log-format"), help: ArgumentHelp("lunet.log output: text (default) or json.", valueName: "FORMAT"))
    var logFormat: String?

    @Flag(help: "Start the API emulators in-process on a free loopback port and point every connection at them.")
    var sandbox = false

    @Flag(help: "Log each HTTP exchange to stderr (secrets redacted).")
    var trace = false

    @Flag(help: "Print the run's HTTP statistics to stderr at the end.")
    var stats = false

    func validate() throws {
        if let logFormat, !["text", "json"].contains(logFormat) {
            throw ValidationError("--log-format must be text or json, got '\(logFormat)'")
        }
    }
}

/// What a run or a REPL needs beside its Lua state: configuration, logging,
/// and (with --sandbox) the in-process emulators. Creating one either
/// succeeds or reports the problem and gives the exit code.
final class Session {
    let runtime: Runtime
    private(set) var sandbox: SandboxServer?
    private var printStats: Bool

    init(_ options: SessionOptions, scriptDirectory: String?, scriptName: String?) throws(ExitCode) {
        printStats = options.stats
        runtime = Runtime(scriptDirectory: scriptDirectory)
        StdlibIndex.install(in: runtime)
        APIs.registerBindings(in: runtime)
        runtime.bindings.trace = options.trace
        do {
            try runtime.configureServices(profile: options.profile, logFormat: options.logFormat, script: scriptName)
        } catch {
            Diagnostics.error(error.description)
            throw ExitCode(ExitStatus.usage)
        }
        if options.sandbox {
            do {
                let server = try blockingAwait { try await SandboxServer.start(SandboxOptions(seed: nil, modules: APIs.sandboxModules)) }
                sandbox = server
                runtime.sandboxURL = server.baseURL
            } catch {
                Diagnostics.error("cannot start the sandbox: \(error)")
                throw ExitCode(ExitStatus.usage)
            }
        }
    }

    func close() {
        if printStats {
            printStats = false
            lunet_write_stderr("lunet: \(runtime.bindings.stats.summary)\n")
        }
        guard let sandbox else { return }
        self.sandbox = nil
        _ = try? blockingAwait { await sandbox.stop() }
    }

    deinit { close() }
}
