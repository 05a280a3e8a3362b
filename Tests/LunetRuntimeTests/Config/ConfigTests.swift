import Foundation
import LunetJSON
@testable import LunetRuntime
import Testing

/// A config folder of its own per test: HOME and XDG_* point into it.
struct ConfigFixture {
    let directory = TemporaryDirectory()
    var configPath: String { directory.path + "/config/lunet/config.lua" }
    var secretsPath: String { directory.path + "/state/lunet/secrets.json" }

    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        directory.environment.merging(extra) { $1 }
    }

    func load(_ source: String, _ extra: [String: String] = [:], profile: String? = nil) throws(ConfigError) -> Configuration {
        try! directory.write(source, to: "config/lunet/config.lua")
        return try Configuration.load(environment: environment(extra), profileFlag: profile)
    }

    /// The problems of loading `source`.
    func problems(_ source: String, _ extra: [String: String] = [:]) -> [String] {
        do {
            _ = try load(source, extra)
            return []
        } catch {
            return error.problems
        }
    }
}

@Suite("Config files")
struct ConfigFileTests {
    let fixture = ConfigFixture()
    var path: String { fixture.configPath }

    @Test func readsProfilesDefaultAndState() throws {
        let config = try fixture.load("""
            return {
              default_profile = "prod",
              state = "/var/lib/lunet/state.db",
              profiles = {
                prod = {
                  icl = { url = "https://prod.example", client_id = "abc", client_secret = "s3", timeout = 30 },
                  coredata = { url = "https://cd.example", user = "u", key = "k", retries = 2 },
                },
                dev = { integrator = { token = "t", region = "eu" }, iconect = { routes = { user = "/api/u" } } },
              },
            }
            """)
        let file = try #require(config.file)
        #expect(file.path == path)
        #expect(file.profileNames == ["dev", "prod"])
        #expect(file.profiles["prod"]?.services[.icl]?["url"] == ConfigEntry(.value("https://prod.example"), key: "profiles.prod.icl.url"))
        #expect(file.profiles["prod"]?.services[.icl]?["client_secret"]?.isSecret == true)
        #expect(file.profiles["prod"]?.services[.icl]?["timeout"]?.value == 30)
        #expect(file.profiles["prod"]?.services[.coredata]?["key"]?.isSecret == true)
        #expect(file.profiles["dev"]?.services[.iconect]?["routes"]?.value == ["user": "/api/u"])
        #expect(try config.selectProfile().name == "prod")
        #expect(try config.stateLocation() == .sqlite(path: "/var/lib/lunet/state.db"))
    }

    @Test func unknownOptionNamesFileKeyAndTheKnownOptions() {
        #expect(fixture.problems("return { profiles = { prod = { icl = { clientid = 'x' } } } }") == [
            "\(path): profiles.prod.icl: unknown option 'clientid' (known: client_id, client_secret, password, retries, timeout, token, url, username)"
        ])
    }

    @Test func unknownServiceAndTopLevelKey() {
        #expect(fixture.problems("return { profiles = { prod = { icI = {} } } }") == [
            "\(path): profiles.prod: unknown service 'icI' (known: coredata, icl, iconect, integrator)"
        ])
        #expect(fixture.problems("return { profile = 'prod' }") == [
            "\(path): unknown key 'profile' (known: default_profile, profiles, state)"
        ])
    }

    @Test func wrongTypesAndShapes() {
        #expect(fixture.problems("return { profiles = { p = { icl = { timeout = 'soon', retries = 1.5 } } } }") == [
            "\(path): profiles.p.icl.retries: an integer expected, got number 1.5",
            "\(path): profiles.p.icl.timeout: a number expected, got string 'soon'",
        ])
        #expect(fixture.problems("return { profiles = { p = { icl = { password = 42 } } } }") == [
            "\(path): profiles.p.icl.password: a string expected, got a secret"
        ])
        #expect(fixture.problems("return { profiles = { p = { icl = { url = print } } } }") == [
            "\(path): profiles.p.icl.url: a string expected, got function (cannot encode a function at $)"
        ])
        #expect(fixture.problems("return { profiles = 'prod' }") == ["\(path): profiles: a table expected, got string"])
        #expect(fixture.problems("return { profiles = { p = 1 } }") == ["\(path): profiles.p: a table expected, got number"])
        #expect(fixture.problems("return { profiles = { [1] = {} } }") == ["\(path): profiles: keys must be strings, got number"])
        #expect(fixture.problems("return { default_profile = 3 }") == ["\(path): default_profile: a string expected, got number"])
        #expect(fixture.problems("return 42") == ["\(path): must return a table, got number"])
    }

    @Test func everyProblemIsReportedAtOnce() {
        let problems = fixture.problems("""
            return { colour = 1, profiles = { b = { icl = { nope = 1 } }, a = { coredta = {} } } }
            """)
        #expect(problems == [
            "\(path): unknown key 'colour' (known: default_profile, profiles, state)",
            "\(path): profiles.a: unknown service 'coredta' (known: coredata, icl, iconect, integrator)",
            "\(path): profiles.b.icl: unknown option 'nope' (known: client_id, client_secret, password, retries, timeout, token, url, username)",
        ])
    }

    @Test func syntaxAndRuntimeErrorsCarryFileAndLine() {
        let syntax = fixture.problems("return {\n  profiles = {\n    prod = { icl = { url = } },\n  }\n}\n")
        #expect(syntax.count == 1)
        #expect(syntax.first?.contains("config.lua:3:") == true)
        let runtime = fixture.problems("local x = nil\nreturn { profiles = x.y }\n")
        #expect(runtime.first?.contains("config.lua:2: attempt to index a nil value") == true)
    }

    @Test func missingExplicitConfigFileIsAnError() {
        #expect(throws: ConfigError("LUNET_CONFIG=/nonexistent/lunet.lua: no such file")) {
            try Configuration.load(environment: fixture.environment(["LUNET_CONFIG": "/nonexistent/lunet.lua"]))
        }
    }

    @Test func lunetConfigChoosesTheFile() throws {
        let other = try fixture.directory.write("return { profiles = { elsewhere = {} } }", to: "other.lua")
        let config = try Configuration.load(environment: fixture.environment(["LUNET_CONFIG": other]))
        #expect(config.file?.path == other)
        #expect(config.profileNames == ["elsewhere"])
    }
}

@Suite("env and secret in config files")
struct ConfigReferenceTests {
    let fixture = ConfigFixture()
    var path: String { fixture.configPath }

    @Test func envReadsTheEnvironmentAtLoadTime() throws {
        let config = try fixture.load("""
            return { profiles = { p = { icl = { url = env "MY_ICL", timeout = env("MY_TIMEOUT", 10), token = env("NONE", nil) } } } }
            """, ["MY_ICL": "https://from-env.example", "MY_TIMEOUT": "45"])
        let icl = try #require(config.file?.profiles["p"]?.services[.icl])
        #expect(icl["url"]?.value == "https://from-env.example")
        #expect(icl["timeout"]?.value == 45)
        #expect(icl["token"] == nil)
        let defaults = try fixture.load("return { profiles = { p = { icl = { timeout = env('MY_TIMEOUT', 10) } } } }")
        #expect(defaults.file?.profiles["p"]?.services[.icl]?["timeout"]?.value == 10)
    }

    /// A variable missing for one profile breaks only that profile, and the
    /// error names the variable and where the config asked for it.
    @Test func missingVariableFailsWhenItsProfileIsUsed() throws {
        let config = try fixture.load("""
            return {
              profiles = {
                dev = { icl = { url = env "DEV_ICL_URL" } },
                prod = { icl = { url = "https://prod.example" } },
              },
            }
            """)
        #expect(try config.resolve(service: .icl, profile: "prod").string("url") == "https://prod.example")
        #expect {
            try config.resolve(service: .icl, profile: "dev")
        } throws: { error in
            let message = "\(error)"
            return message.hasPrefix("\(path): profiles.dev.icl.url: environment variable DEV_ICL_URL is not set (")
                && message.hasSuffix("config.lua:3)")
        }
        // The service's own variable supplies the option instead.
        let fromEnvironment = try Configuration.load(environment: fixture.environment(["ICL_URL": "https://env.example"]))
        #expect(try fromEnvironment.resolve(service: .icl, profile: "dev").string("url") == "https://env.example")
    }

    @Test func unresolvedValuesSurviveConcatenationAndFailWhenIndexed() throws {
        let config = try fixture.load("return { profiles = { p = { icl = { url = env('HOST') .. '/api' } } } }")
        #expect(config.file?.profiles["p"]?.services[.icl]?["url"]?.value == nil)
        let indexed = fixture.problems("return { profiles = { p = { icl = { url = env('HOST'):lower() } } } }")
        #expect(indexed.first?.contains("environment variable HOST is not set") == true)
    }

    @Test func secretsResolveFromTheStoreAndAreMarked() throws {
        let secrets = SecretsFile(path: fixture.secretsPath)
        try secrets.set("icl-prod", to: "s3cr3t")
        try secrets.set("icl-url", to: "https://hidden.example")
        let config = try fixture.load("""
            return { profiles = { p = { icl = { client_secret = secret "icl-prod", url = secret "icl-url", client_id = "id" } } } }
            """)
        let icl = try #require(config.file?.profiles["p"]?.services[.icl])
        #expect(icl["client_secret"] == ConfigEntry(.value("s3cr3t"), isSecret: true, key: "profiles.p.icl.client_secret"))
        #expect(icl["url"]?.isSecret == true, "a value from secret() is a secret whatever its option")
        #expect(icl["client_id"]?.isSecret == false)
        let resolved = try config.resolve(service: .icl, profile: "p")
        #expect(resolved["url"]?.isSecret == true)
        #expect(resolved["client_id"]?.isSecret == false)
    }

    @Test func missingSecretNamesTheSecretTheStoreAndThePosition() throws {
        let config = try fixture.load("return {\n  profiles = { p = { icl = { password = secret 'nope' } } },\n}\n")
        #expect {
            try config.resolve(service: .icl, profile: "p")
        } throws: { error in
            let message = "\(error)"
            return message.hasPrefix("\(path): profiles.p.icl.password: secret 'nope' not found in \(fixture.secretsPath) (")
                && message.hasSuffix("config.lua:2)")
        }
    }

    @Test func aSecretsFileOthersCanReadIsRefused() throws {
        try fixture.directory.write(#"{"x": "y"}"#, to: "state/lunet/secrets.json", mode: 0o644)
        let config = try fixture.load("return { profiles = { p = { icl = { password = secret 'x' } } } }")
        #expect {
            try config.resolve(service: .icl, profile: "p")
        } throws: { error in "\(error)".contains("is readable by other users (mode 644); run: chmod 600") }
    }

    @Test func secretsFileIsPrivateAndReplacedWhole() throws {
        let secrets = SecretsFile(path: fixture.secretsPath)
        #expect(try secrets.all() == [:])
        try secrets.set("a", to: "1")
        try secrets.set("b", to: "2")
        try secrets.set("a", to: nil)
        #expect(try secrets.all() == ["b": "2"])
        #expect(try secrets.secret(named: "b") == "2")
        #expect(TemporaryDirectory.mode(of: fixture.secretsPath) == 0o600)
        let folder = (fixture.secretsPath as NSString).deletingLastPathComponent
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }
}

@Suite("Profile selection and option resolution")
struct ConfigResolutionTests {
    let fixture = ConfigFixture()
    var path: String { fixture.configPath }
    let twoProfiles = """
        return {
          default_profile = "prod",
          profiles = {
            prod = { icl = { url = "https://prod.example", client_id = "prod-id", username = "p-user", timeout = 30 } },
            dev = { icl = { url = "https://dev.example" } },
            default = { icl = { url = "https://default.example" } },
          },
        }
        """

    @Test func selectionOrderFlagThenVariableThenDefaultProfileThenDefault() throws {
        #expect(try fixture.load(twoProfiles, ["LUNET_PROFILE": "dev"], profile: "default").selectProfile().name == "default")
        #expect(try fixture.load(twoProfiles, ["LUNET_PROFILE": "dev"]).selectProfile().name == "dev")
        #expect(try fixture.load(twoProfiles).selectProfile().name == "prod")
        #expect(try fixture.load(twoProfiles).selectProfile().source == .configDefault)
        let implicit = try fixture.load("return { profiles = { default = {}, other = {} } }").selectProfile()
        #expect(implicit.name == "default" && implicit.source == .implicit && implicit.profile != nil)
        // A script naming a profile beats them all.
        #expect(try fixture.load(twoProfiles, profile: "dev").selectProfile("prod").name == "prod")
    }

    @Test func unknownProfileListsTheKnownOnes() throws {
        #expect(throws: ConfigError("unknown profile 'prdo' (from --profile) in \(path); known: default, dev, prod")) {
            try fixture.load(twoProfiles, profile: "prdo").selectProfile()
        }
        #expect(throws: ConfigError("unknown profile 'x' (from LUNET_PROFILE) in \(path); known: default, dev, prod")) {
            try fixture.load(twoProfiles, ["LUNET_PROFILE": "x"]).selectProfile()
        }
        #expect(throws: ConfigError("unknown profile 'gone' (from default_profile) in \(path); known: a")) {
            try fixture.load("return { default_profile = 'gone', profiles = { a = {} } }").selectProfile()
        }
    }

    @Test func implicitDefaultMayBeAbsent() throws {
        let config = try fixture.load("return { profiles = { a = { icl = { url = 'https://a' } } } }", ["ICL_URL": "https://env"])
        let selection = try config.selectProfile()
        #expect(selection.name == "default" && selection.profile == nil)
        let resolved = try config.resolve(service: .icl)
        #expect(resolved.profile == nil)
        #expect(resolved["url"] == ResolvedOption(value: "https://env", origin: .environment("ICL_URL"), isSecret: false))
    }

    @Test func explicitBeatsEnvironmentBeatsProfile() throws {
        let config = try fixture.load(twoProfiles, ["ICL_URL": "https://env.example", "ICL_CLIENT_ID": "env-id", "ICL_PASSWORD": "pw"])
        let resolved = try config.resolve(service: .icl, explicit: ["url": "https://explicit.example"])
        #expect(resolved.profile == "prod")
        #expect(resolved["url"] == ResolvedOption(value: "https://explicit.example", origin: .explicit, isSecret: false))
        #expect(resolved["client_id"] == ResolvedOption(value: "env-id", origin: .environment("ICL_CLIENT_ID"), isSecret: false))
        #expect(resolved["password"] == ResolvedOption(value: "pw", origin: .environment("ICL_PASSWORD"), isSecret: true))
        #expect(
            resolved["username"]
                == ResolvedOption(value: "p-user", origin: .profile(name: "prod", key: "profiles.prod.icl.username", file: path), isSecret: false))
        #expect(resolved["timeout"]?.value == 30)
        #expect(resolved["token"] == nil)
        #expect(resolved["timeout"]?.origin.description == "\(path): profiles.prod.icl.timeout")
    }

    @Test func explicitOptionsAreChecked() throws {
        let config = try fixture.load(twoProfiles)
        #expect(throws: ConfigError("icl: unknown option 'clientid' (known: client_id, client_secret, password, retries, timeout, token, url, username)")) {
            try config.resolve(service: .icl, explicit: ["clientid": "x"])
        }
        #expect(throws: ConfigError("icl: option 'timeout' must be a number")) {
            try config.resolve(service: .icl, explicit: ["timeout": "soon"])
        }
    }

    @Test func environmentModeWithoutConfigFile() throws {
        let config = try Configuration.load(environment: fixture.environment([
            "ICL_URL": "https://icl.example", "ICL_TOKEN": "tok",
            "API_USER": "generic", "COREDATA_API_USER": "specific", "API_KEY": "k",
            "INTEGRATOR_REGION": "eu",
        ]))
        #expect(config.file == nil)
        #expect(config.path == path)
        let icl = try config.resolve(service: .icl)
        #expect(icl.string("url") == "https://icl.example")
        #expect(icl["token"]?.isSecret == true)
        let coredata = try config.resolve(service: .coredata)
        #expect(coredata["user"]?.origin == .environment("COREDATA_API_USER"))
        #expect(coredata.string("user") == "specific")
        #expect(coredata["key"]?.origin == .environment("API_KEY"))
        #expect(try config.resolve(service: .integrator).string("region") == "eu")
        #expect(try config.resolve(service: .iconect).options.isEmpty)
        #expect(throws: ConfigError("unknown profile 'prod' (from --profile): there is no config file (looked for \(path))")) {
            var named = config
            named.profileFlag = "prod"
            _ = try named.selectProfile()
        }
    }

    @Test func typedOptionsFromTheEnvironmentMustParse() throws {
        let config = try fixture.load("return { profiles = { default = { icl = { timeout = env 'T' } } } }", ["T": "12.5"])
        #expect(try config.resolve(service: .icl)["timeout"]?.value == 12.5)
        #expect(fixture.problems("return { profiles = { default = { icl = { timeout = env 'T' } } } }", ["T": "soon"]) == [
            "\(path): profiles.default.icl.timeout: a number expected, got string 'soon'"
        ])
    }

    @Test func unresolvedDefaultProfileIsAnErrorWhenNeeded() throws {
        let config = try fixture.load("return { default_profile = env 'WHICH', profiles = { a = {} } }")
        #expect(throws: ConfigError.self) { try config.selectProfile() }
        #expect(try config.selectProfile("a").name == "a")
    }
}

@Suite("Runtime services from the command line")
struct RuntimeServicesTests {
    let fixture = ConfigFixture()

    @Test func configureServicesAppliesFlagsAndChecksTheConfigUpFront() throws {
        try fixture.directory.write("return { profiles = { prod = { icl = { url = 'https://p' } } } }", to: "config/lunet/config.lua")
        let runtime = Runtime(environment: fixture.environment())
        try runtime.configureServices(profile: "prod", logFormat: "json", script: "job.lua")
        #expect(runtime.log.script == "job.lua")
        #expect(try runtime.config.resolve(service: .icl).string("url") == "https://p")
        #expect(throws: ConfigError("unknown profile 'nope' (from --profile) in \(fixture.configPath); known: prod")) {
            try Runtime(environment: fixture.environment()).configureServices(profile: "nope")
        }
        #expect(throws: ConfigError("--log-format must be text or json, got 'xml'")) {
            try Runtime(environment: fixture.environment()).configureServices(logFormat: "xml")
        }
    }

    @Test func aBrokenConfigFileFailsBeforeTheScript() throws {
        try fixture.directory.write("return { profiles = { p = { icl = { clientid = 1 } } } }", to: "config/lunet/config.lua")
        #expect(throws: ConfigError.self) { try Runtime(environment: fixture.environment()).configureServices() }
    }

    /// The one check every binding's URL options go through.
    @Test func httpURLOptionsNeedASchemeAndAHost() throws {
        var options = ResolvedOptions(service: .icl, profile: nil)
        func set(_ text: String) { options.options["url"] = ResolvedOption(value: .string(text), origin: .explicit, isSecret: false) }
        #expect(throws: ConfigError("icl: option 'url' is required (or ICL_URL)")) { try options.httpURL("url", required: "or ICL_URL") }
        for bad in ["https:foo", "ftp://host", "host/path", "https://"] {
            set(bad)
            #expect(throws: ConfigError("icl: option 'url' must be an http(s) URL, got '\(bad)'")) {
                try options.httpURL("url", required: "")
            }
        }
        set("http://127.0.0.1:8080/x")
        #expect(try options.httpURL("url", required: "").host == "127.0.0.1")
    }
}
