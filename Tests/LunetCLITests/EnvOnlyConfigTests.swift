import Foundation
import Testing

/// Issue 9, item 5: a scheduled run needs no config file: connection options,
/// the state store and the sandbox URL all come from the environment
/// (docs/deploy.md).
@Suite("configuration from the environment only", .serialized)
struct EnvOnlyConfigTests {
    /// No config file anywhere: an empty XDG_CONFIG_HOME, LUNET_CONFIG unset.
    static func bareEnvironment(_ directory: URL) -> [String: String] {
        ["XDG_CONFIG_HOME": directory.appending(path: "config").path, "LUNET_CONFIG": "", "LUNET_PROFILE": "",
         "XDG_STATE_HOME": directory.appending(path: "state").path, "LUNET_SANDBOX_URL": ""]
    }

    static let script = """
        local icl, state = require "lunet.icl", require "lunet.state"
        local p = icl.connect()
        print(p:types():list():total(), state.get("runs") or 0)
        state.set("runs", (state.get("runs") or 0) + 1)
        """

    @Test func iclConnectsFromICLVariablesAlone() async throws {
        let directory = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sandbox = try await SandboxProcess.start(data: directory.appending(path: "sandbox").path, faults: "")
        defer { sandbox.stop() }
        var env = Self.bareEnvironment(directory)
        env["ICL_URL"] = sandbox.url + "/icl"
        env["ICL_CLIENT_ID"] = "5ec0ffee-1c1a-4d00-8a5e-000000000001"
        env["ICL_CLIENT_SECRET"] = "icl-sandbox-secret"
        env["LUNET_STATE"] = directory.appending(path: "job-state.db").path
        let first = try await LunetProcess.run(["run", "-e", Self.script], environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == "0\t0\n")
        let second = try await LunetProcess.run(["run", "-e", Self.script], environment: env)
        #expect(second.stdout == "0\t1\n", "the state store named by LUNET_STATE keeps what the first run saved")
        #expect(FileManager.default.fileExists(atPath: env["LUNET_STATE"]!))

        env["ICL_CLIENT_SECRET"] = "wrong-secret"
        let refused = try await LunetProcess.run(["run", "-e", Self.script], environment: env)
        #expect(refused.status == 1)
        #expect(!refused.stderr.contains("wrong-secret"))
    }

    @Test func sandboxURLFromTheEnvironmentOrTheFlag() async throws {
        let directory = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sandbox = try await SandboxProcess.start(data: directory.appending(path: "sandbox").path, faults: "")
        defer { sandbox.stop() }
        var env = Self.bareEnvironment(directory)
        let probe = "local l = require 'lunet'; print(l.sandbox, require('lunet.icl').connect():types():list():total())"
        let flag = try await LunetProcess.run(["run", "--sandbox-url", sandbox.url + "/", "-e", probe], environment: env)
        #expect(flag.status == 0, "\(flag.stderr)")
        #expect(flag.stdout == "\(sandbox.url)\t0\n")
        env["LUNET_SANDBOX_URL"] = sandbox.url
        let variable = try await LunetProcess.run(["run", "-e", probe], environment: env)
        #expect(variable.stdout == "\(sandbox.url)\t0\n", "\(variable.stderr)")

        let both = try await LunetProcess.run(["run", "--sandbox", "--sandbox-url", sandbox.url, "-e", ""], environment: env)
        #expect(both.status == 2)
        #expect(both.stderr.contains("use --sandbox or --sandbox-url, not both"))
        let badFlag = try await LunetProcess.run(["run", "--sandbox-url", "ftp://x", "-e", ""], environment: env)
        #expect(badFlag.status == 2)
        #expect(badFlag.stderr.contains("--sandbox-url must be an http:// or https:// URL, got 'ftp://x'"))
        env["LUNET_SANDBOX_URL"] = "not a url"
        let badVariable = try await LunetProcess.run(["run", "-e", ""], environment: env)
        #expect(badVariable.status == 2)
        #expect(badVariable.stderr.contains("LUNET_SANDBOX_URL must be an http:// or https:// URL, got 'not a url'"))
    }
}
