import Foundation
import Testing

/// Issue 9, item 5: the recipes in deploy/ (docs/deploy.md) are well formed
/// and use only options `lunet run` has.
@Suite("deployment recipes")
struct DeployRecipesTests {
    static let deploy = LunetProcess.root.appending(path: "deploy")

    static func run(_ command: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [command] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func available(_ check: [String]) -> Bool {
        (try? run(check[0], Array(check.dropFirst())).status) == 0
    }

    @Test(.enabled("needs python3 with PyYAML") { DeployRecipesTests.available(["python3", "-c", "import yaml"]) })
    func kubernetesCronJobForbidsOverlapAndTakesConfigFromEnvAndSecrets() throws {
        let check = """
            import sys, yaml
            docs = {d["kind"]: d for d in yaml.safe_load_all(open(sys.argv[1])) if d}
            job = docs["CronJob"]
            assert job["apiVersion"] == "batch/v1", job["apiVersion"]
            spec = job["spec"]
            assert spec["concurrencyPolicy"] == "Forbid"
            assert len(spec["schedule"].split()) == 5
            pod = spec["jobTemplate"]["spec"]["template"]["spec"]
            assert pod["restartPolicy"] == "Never"
            (c,) = pod["containers"]
            args = c["args"]
            assert args[0] == "run" and "--log-format" in args and args[args.index("--log-format") + 1] == "json", args
            assert "--lock" in args and "--timeout" in args, args
            refs = {k: v["name"] for e in c["envFrom"] for k, v in e.items()}
            assert refs == {"configMapRef": "lunet-sync", "secretRef": "lunet-sync"}, refs
            secret = docs["Secret"]["stringData"]
            assert secret["LUNET_STATE"].startswith("postgres://")
            assert "ICL_CLIENT_SECRET" in secret
            assert "ICL_URL" in docs["ConfigMap"]["data"] and "ICL_CLIENT_ID" in docs["ConfigMap"]["data"]
            print(" ".join(args))
            """
        let result = try Self.run("python3", ["-c", check, Self.deploy.appending(path: "kubernetes/cronjob.yaml").path])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test(.enabled("needs systemd-analyze") { DeployRecipesTests.available(["systemd-analyze", "--version"]) })
    func systemdUnitsVerify() throws {
        let directory = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // The units as installed, with the binary and user of this machine.
        var service = try String(contentsOf: Self.deploy.appending(path: "systemd/lunet-sync.service"), encoding: .utf8)
        service = service.replacingOccurrences(of: "/usr/local/bin/lunet", with: LunetProcess.binary)
            .replacingOccurrences(of: "User=lunet", with: "User=root").replacingOccurrences(of: "Group=lunet", with: "Group=root")
        try directory.write(service, to: "lunet-sync.service")
        try directory.write(try String(contentsOf: Self.deploy.appending(path: "systemd/lunet-sync.timer"), encoding: .utf8),
                            to: "lunet-sync.timer")
        let result = try Self.run(
            "systemd-analyze", ["verify", directory.appending(path: "lunet-sync.service").path, directory.appending(path: "lunet-sync.timer").path])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.isEmpty, "\(result.output)")
    }

    /// The command line every recipe runs, with the options `lunet help run` lists.
    @Test func everyRecipeRunsTheSameCommandWithKnownOptions() async throws {
        let command = "run --lock icl-sync --log-format json --timeout 3000"
        let cron = try String(contentsOf: Self.deploy.appending(path: "cron/lunet-sync.cron"), encoding: .utf8)
        let service = try String(contentsOf: Self.deploy.appending(path: "systemd/lunet-sync.service"), encoding: .utf8)
        let cronJob = try String(contentsOf: Self.deploy.appending(path: "kubernetes/cronjob.yaml"), encoding: .utf8)
        #expect(cron.contains("lunet " + command + " /usr/local/share/lunet/icl_sync_types.lua meter meter_copy"))
        #expect(service.contains("ExecStart=/usr/local/bin/lunet " + command + " /usr/local/share/lunet/icl_sync_types.lua"))
        #expect(cronJob.contains(#"args: ["run", "--lock", "icl-sync", "--log-format", "json", "--timeout", "3000","#))
        let help = try await LunetProcess.run(["help", "run"])
        for option in ["--log-format", "--timeout", "--sandbox-url", "--lock"] {
            #expect(help.stdout.contains(option), "lunet help run does not list \(option)")
        }
        let containerfile = try String(contentsOf: Self.deploy.appending(path: "Containerfile"), encoding: .utf8)
        for needed in ["FROM swift:6", "AS build", "FROM debian:bookworm-slim", "liblua5.4-0", "libedit2", "COPY --from=build"] {
            #expect(containerfile.contains(needed), "Containerfile lacks \(needed)")
        }
    }
}
