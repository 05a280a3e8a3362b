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

    @Option(
        name: .customLong("sandbox-url"),
        help: ArgumentHelp(
            "Point every connection at a sandbox already running at URL (`lunet sandbox`), like --sandbox (else LUNET_SANDBOX_URL).",
            valueName: "URL"))
    var sandboxURL: String?

    @Flag(help: "Log each HTTP exchange to stderr (secrets redacted).")
    var trace = false

    @Flag(help: "Print the run's HTTP statistics to stderr at the end.")
    var stats = false

    func validate() throws {
        if let logFormat, !["text", "json"].contains(logFormat) {
            throw ValidationError("--log-format must be text or json, got '\(logFormat)'")
        }
        if sandbox && sandboxURL != nil { throw ValidationError("use --sandbox or --sandbox-url, not both") }
        if let sandboxURL, SessionOptions.sandboxBase(sandboxURL) == nil {
            throw ValidationError("--sandbox-url must be an http:// or https:// URL, got '\(sandboxURL)'")
        }
    }

    /// `http://host:port` without a trailing slash, or nil when not an HTTP URL.
    static func sandboxBase(_ text: String) -> String? {
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else { return nil }
        var base = text
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }
}

/// What a run or a REPL needs beside its Lua state: configuration, logging,
/// and (with --sandbox) the in-process emulators. Creating one either
/// succeeds or reports the problem and gives the exit code.
final class Session {
    let runtime: Runtime
    private(set) var sandbox: SandboxServer?
    private var printStats: Bool

    /// `seed`: demo data the in-process sandbox starts with (the REPL's
    /// `--sandbox` has something to explore; scripts and tests start empty
    /// and seed what they need through `/_sandbox/seed/NAME`).
    init(_ options: SessionOptions, scriptDirectory: String?, scriptName: String?, seed: String? = nil) throws(ExitCode) {
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
        let environment = ProcessInfo.processInfo.environment
        if !options.sandbox, let given = options.sandboxURL ?? environment["LUNET_SANDBOX_URL"].flatMap({ $0.isEmpty ? nil : $0 }) {
            guard let base = SessionOptions.sandboxBase(given) else {
                Diagnostics.error("LUNET_SANDBOX_URL must be an http:// or https:// URL, got '\(given)'")
                throw ExitCode(ExitStatus.usage)
            }
            runtime.sandboxURL = base
        }
        if options.sandbox {
            do {
                let server = try blockingAwait { try await SandboxServer.start(SandboxOptions(seed: seed, modules: APIs.sandboxModules)) }
                sandbox = server
                runtime.sandboxURL = server.baseURL
            } catch {
                Diagnostics.error("cannot start the sandbox: \(error)")
                throw ExitCode(ExitStatus.usage)
            }
        }
    }

    /// The run summary (RunSummary.swift), then `close()`.
    func finish(status: Int32, duration: Duration) {
        RunSummary(stats: runtime.bindings.stats.snapshot, status: status, duration: duration)
            .report(to: runtime.log, human: printStats)
        close()
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
