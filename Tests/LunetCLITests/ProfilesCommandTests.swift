import Foundation
import Testing

@Suite("lunet profiles")
struct ProfilesCommandTests {
    let dir: URL
    let environment: [String: String]
    var configPath: String { dir.path + "/config/lunet/config.lua" }

    init() throws {
        dir = try LunetProcess.temporaryDirectory()
        var env = [
            "HOME": dir.path, "XDG_STATE_HOME": dir.path + "/state", "XDG_CONFIG_HOME": dir.path + "/config",
            "LUNET_CONFIG": "", "LUNET_PROFILE": "",
        ]
        // The test process's own service variables must not leak in.
        for name in ["ICL_URL", "ICL_CLIENT_ID", "ICL_CLIENT_SECRET", "ICL_USERNAME", "ICL_PASSWORD", "ICL_TOKEN",
            "ICONECT_API_URL", "ICONECT_IDENTITY_URL", "ICONECT_CLIENT_ID", "ICONECT_CLIENT_SECRET", "ICONECT_USERNAME",
            "ICONECT_PASSWORD", "ICONECT_REFRESH_TOKEN", "ICONECT_TOKEN", "COREDATA_BASE_URL", "COREDATA_API_USER",
            "API_USER", "COREDATA_API_KEY", "API_KEY", "INTEGRATOR_TOKEN", "INTEGRATOR_REGION", "INTEGRATOR_URL"]
        {
            env[name] = ""
        }
        environment = env
    }

    func lunet(_ arguments: [String], _ extra: [String: String] = [:]) async throws -> LunetProcess.Result {
        try await LunetProcess.run(arguments, environment: environment.merging(extra) { $1 })
    }

    let config = """
        return {
          default_profile = "prod",
          profiles = {
            prod = {
              icl = { url = "https://prod.example", client_id = "prod-id", client_secret = "cs-123", timeout = 30 },
              coredata = { url = "https://cd.example", user = "svc", key = "k-456" },
            },
            dev = {
              icl = { url = env "DEV_ICL_URL", password = secret "dev-pw" },
              integrator = { token = "tok-789", region = "eu" },
            },
          },
        }
        """

    @Test func listsProfilesMarksTheDefaultAndMasksSecrets() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        try dir.write(config, to: "config/lunet/config.lua")
        try dir.write(#"{"dev-pw": "pw-000"}"#, to: "state/lunet/secrets.json")
        chmod(dir.path + "/state/lunet/secrets.json", 0o600)
        let r = try await lunet(["profiles"])
        #expect(r.status == 0, "\(r.stderr)")
        for secret in ["cs-123", "k-456", "tok-789", "pw-000"] { #expect(!r.stdout.contains(secret)) }
        let expected = """
            config: \(configPath)
              dev
                icl
                  url       <environment variable DEV_ICL_URL is not set (
            """
        #expect(r.stdout.hasPrefix(expected))
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("      password  ••••"))
        #expect(lines.contains("    integrator"))
        #expect(lines.contains("      token   ••••"))
        #expect(lines.contains("      region  eu"))
        #expect(lines.contains("* prod  (default)"))
        #expect(lines.contains("      url            https://prod.example"))
        #expect(lines.contains("      client_id      prod-id"))
        #expect(lines.contains("      client_secret  ••••"))
        #expect(lines.contains("      timeout        30"))
        #expect(lines.contains("      key   ••••"))
    }

    @Test func theDefaultFollowsLunetProfile() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        try dir.write(config, to: "config/lunet/config.lua")
        let r = try await lunet(["profiles"], ["LUNET_PROFILE": "dev", "DEV_ICL_URL": "https://dev.example"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("* dev  (default)\n"))
        #expect(r.stdout.contains("  prod\n"))
        #expect(r.stdout.contains("      url       https://dev.example\n"))
    }

    @Test func unknownProfileIsAConfigError() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        try dir.write(config, to: "config/lunet/config.lua")
        let r = try await lunet(["profiles"], ["LUNET_PROFILE": "stage"])
        #expect(r.status == 2)
        #expect(r.stdout.contains("  prod\n"))
        #expect(r.stderr == "lunet: unknown profile 'stage' (from LUNET_PROFILE) in \(configPath); known: dev, prod\n")
    }

    @Test func badConfigFileExitsWithTwoNamingFileAndKey() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        try dir.write("return { profiles = { prod = { icl = { clientid = 'x' }, coredta = {} } } }", to: "config/lunet/config.lua")
        let r = try await lunet(["profiles"])
        #expect(r.status == 2)
        #expect(r.stderr == """
            lunet: \(configPath): profiles.prod: unknown service 'coredta' (known: coredata, icl, iconect, integrator)
            \(configPath): profiles.prod.icl: unknown option 'clientid' (known: client_id, client_secret, password, retries, timeout, token, url, username)

            """)
    }

    @Test func withoutConfigFileShowsTheEnvironment() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await lunet(["profiles"], ["ICL_URL": "https://env.example", "ICL_PASSWORD": "pw-secret", "API_KEY": "k-secret"])
        #expect(r.status == 0)
        #expect(!r.stdout.contains("pw-secret") && !r.stdout.contains("k-secret"))
        #expect(r.stdout == """
            no config file (looked for \(configPath)); connections use the environment
            environment:
                coredata
                  key  ••••  (API_KEY)
                icl
                  url       https://env.example  (ICL_URL)
                  password  ••••  (ICL_PASSWORD)

            """)
    }

    @Test func lunetConfigNamingAMissingFileExitsWithTwo() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await lunet(["profiles"], ["LUNET_CONFIG": dir.path + "/missing.lua"])
        #expect(r.status == 2)
        #expect(r.stderr == "lunet: LUNET_CONFIG=\(dir.path)/missing.lua: no such file\n")
    }
}
