import Foundation

/// `lunet sandbox` as a child process: for scripts that reach it by URL
/// (`--sandbox-url`, a profile's `url`) and for data that must outlive a
/// killed run (`--data`). Starting and stopping happen on plain threads,
/// never on Swift's cooperative pool.
final class SandboxProcess: @unchecked Sendable {
    let process: Process
    /// "http://127.0.0.1:PORT", from the first line the sandbox prints.
    let url: String

    private init(process: Process, url: String) {
        self.process = process
        self.url = url
    }

    /// A sandbox seeded with every emulator's demo data, in memory.
    static func start() async throws -> SandboxProcess { try await start(["--seed", "demo"]) }

    /// A sandbox keeping its data in `data`, with fault rules (docs/sandbox.md).
    static func start(data: String, faults: String) async throws -> SandboxProcess {
        try await start(["--data", data] + (faults.isEmpty ? [] : ["--faults", faults]))
    }

    static func start(_ arguments: [String]) async throws -> SandboxProcess {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try startBlocking(arguments) }) }
        }
    }

    private static func startBlocking(_ arguments: [String]) throws -> SandboxProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: LunetProcess.binary)
        process.arguments = ["sandbox"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line: "lunet sandbox listening on http://127.0.0.1:PORT (prefixes: …)".
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: "http://[^ \n]+", options: .regularExpression) else {
            process.terminate()
            throw StartFailure(output: text)
        }
        return SandboxProcess(process: process, url: String(text[range]))
    }

    /// SIGTERM; the exit is awaited on a thread of its own.
    func stop() {
        let process = self.process
        process.terminate()
        Thread.detachNewThread { process.waitUntilExit() }
    }

    struct StartFailure: Error, CustomStringConvertible {
        var output: String
        var description: String { "lunet sandbox did not start: \(output)" }
    }
}
