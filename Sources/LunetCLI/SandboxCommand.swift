import ArgumentParser
import Foundation
import Logging
import LunetSandbox

struct SandboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Serve the API emulators on loopback, with control endpoints and fault injection.",
        discussion: """
            Prints one line, "lunet sandbox listening on http://127.0.0.1:PORT (prefixes: ...)", \
            then serves until SIGINT or SIGTERM (exit 0). Control endpoints live under /_sandbox/ \
            (reset, seed/NAME, faults, requests, health). The fault grammar is in docs/sandbox.md.
            """
    )

    @Option(help: ArgumentHelp("Listen on 127.0.0.1:PORT (default: a free port).", valueName: "PORT"))
    var port: Int?

    @Option(help: ArgumentHelp("Keep emulator data in SQLite in DIR, across restarts (default: in memory).", valueName: "DIR"))
    var data: String?

    @Option(help: ArgumentHelp("Load data set NAME before serving, e.g. demo.", valueName: "NAME"))
    var seed: String?

    @Option(help: ArgumentHelp("Inject faults, e.g. seed=42,429=0.1,503@5,reset=0.02,latency=5..50ms.", valueName: "SPEC"))
    var faults: String?

    func validate() throws {
        if let port, !(0...65535).contains(port) {
            throw ValidationError("--port must be from 0 to 65535, got \(port)")
        }
        do {
            _ = try faultSpec()
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        var logger = Logger(label: "lunet.sandbox", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = .warning
        let options = SandboxOptions(
            port: port ?? 0, dataDirectory: data, seed: seed, faults: try faultSpec(), modules: APIs.sandboxModules,
            logger: logger)
        let status = (try? blockingAwait { await Self.serve(options) }) ?? ExitStatus.scriptError
        if status != ExitStatus.success { throw ExitCode(status) }
    }

    private func faultSpec() throws(FaultSpecError) -> FaultSpec {
        try faults.map { spec throws(FaultSpecError) in try FaultSpec(parsing: spec) } ?? .none
    }

    private static func serve(_ options: SandboxOptions) async -> Int32 {
        do {
            try await SandboxServer.run(options) { server in
                let prefixes = server.prefixes.isEmpty ? "none" : server.prefixes.joined(separator: ", ")
                // Unbuffered, so a parent process reading the pipe sees the line at once.
                FileHandle.standardOutput.write(
                    Data("lunet sandbox listening on \(server.baseURL) (prefixes: \(prefixes))\n".utf8))
            }
            return ExitStatus.success
        } catch let error as SandboxError {
            Diagnostics.error(error.description)
            return ExitStatus.usage
        } catch {
            Diagnostics.error("sandbox stopped: \(error)")
            return ExitStatus.scriptError
        }
    }
}

