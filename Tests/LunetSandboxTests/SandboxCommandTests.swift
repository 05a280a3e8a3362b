import Foundation
import LunetTestSupport
import Testing

/// `lunet sandbox` run as a child process, as an operator runs it.
@Suite("lunet sandbox command")
struct SandboxCommandTests {
    @Test func aBadFaultSpecExitsTwoNamingThePart() throws {
        let result = try LunetChild.runToEnd(["sandbox", "--faults", "bogus"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("bad fault spec part 'bogus': expected NAME=VALUE or FAULT@N"))
        #expect(result.stdout.isEmpty)

        let typo = try LunetChild.runToEnd(["sandbox", "--faults", "seed=1,5o3=0.1"])
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("bad fault spec part '5o3=0.1': unknown fault '5o3'"))
    }

    @Test func servesUntilSIGINTThenExitsZero() async throws {
        let child = try LunetChild.start(["sandbox", "--faults", "seed=1,503@1"])
        let line = try child.firstLine()
        #expect(line.hasPrefix("lunet sandbox listening on http://127.0.0.1:"))
        #expect(line.hasSuffix("(prefixes: none)") || line.contains("(prefixes: "))
        let baseURL = try #require(line.split(separator: " ").first { $0.hasPrefix("http://") }.map(String.init))
        let health = try await SandboxClient(baseURL: baseURL).get("/_sandbox/health")
        #expect(health.status == 200)
        #expect(health.json["faults"] == "seed=1,503@1")
        #expect(health.json["store"] == "memory")
        let status = child.signal(SIGINT)
        #expect(status == 0)
    }

    @Test func sigtermStopsItCleanlyToo() async throws {
        let directory = try temporaryTestDirectory("lunet-sandbox")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let child = try LunetChild.start(["sandbox", "--data", directory])
        _ = try child.firstLine()
        #expect(child.signal(SIGTERM) == 0)
        #expect(FileManager.default.fileExists(atPath: directory + "/sandbox.sqlite"))
    }

    @Test func aFixedPortThatIsTakenExitsTwo() async throws {
        try await withSandbox { server, _ in
            let result = try LunetChild.runToEnd(["sandbox", "--port", String(server.port)])
            #expect(result.status == 2)
            #expect(result.stderr.contains("port \(server.port) on 127.0.0.1 is already in use"))
        }
    }

    @Test func aFixedFreePortIsUsed() async throws {
        let port = try await freePort()
        let child = try LunetChild.start(["sandbox", "--port", String(port)])
        #expect(try child.firstLine().hasPrefix("lunet sandbox listening on http://127.0.0.1:\(port) "))
        #expect(child.signal(SIGINT) == 0)
    }
}

func freePort() async throws -> Int {
    try await withSandbox { server, _ in server.port }
}

/// The built `lunet` binary as a child process.
final class LunetChild {
    /// $LUNET_BIN, else `lunet` beside the test bundle (same build folder).
    static let binary: String = {
        if let path = ProcessInfo.processInfo.environment["LUNET_BIN"], !path.isEmpty { return path }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("lunet").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/lunet").path
    }()

    let process = Process()
    let output = Pipe(), errors = Pipe()

    private init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = errors
        try process.run()
    }

    static func start(_ arguments: [String]) throws -> LunetChild {
        try LunetChild(arguments)
    }

    static func runToEnd(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let child = try LunetChild(arguments)
        let out = child.output.fileHandleForReading.readDataToEndOfFile()
        let err = child.errors.fileHandleForReading.readDataToEndOfFile()
        child.process.waitUntilExit()
        return (child.process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    struct NoLine: Error, CustomStringConvertible {
        var stderr: String
        var description: String { "lunet printed no line; stderr: \(stderr)" }
    }

    /// The first line on stdout (the child exiting first is an error).
    func firstLine() throws -> String {
        var bytes: [UInt8] = []
        let handle = output.fileHandleForReading
        while !bytes.contains(UInt8(ascii: "\n")) {
            let chunk = handle.availableData
            if chunk.isEmpty {
                throw NoLine(stderr: String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
            }
            bytes += chunk
        }
        return String(decoding: bytes.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
    }

    /// Sends `signal` and waits (at most 20 s) for the exit status.
    func signal(_ signal: Int32) -> Int32 {
        kill(process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return -1
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
