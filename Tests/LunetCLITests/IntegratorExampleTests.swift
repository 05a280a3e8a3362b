import Foundation
import Testing

/// The integrator.io example scripts against the sandbox (`lunet run
/// --sandbox`), and the connection options and the bare 401 against a
/// `lunet sandbox` process reached the way a real service is: by URL and
/// token from the environment.
@Suite("integrator.io example scripts and connection options")
struct IntegratorExampleTests: SandboxScriptSuite {
    let dir: URL
    let environment: [String: String]

    init() throws {
        (dir, environment) = try Self.scratch(["INTEGRATOR_TOKEN": "", "INTEGRATOR_URL": "", "INTEGRATOR_REGION": ""])
    }

    func run(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> LunetProcess.Result {
        try await LunetProcess.run(arguments, environment: environment.merging(extra) { $1 }, directory: LunetProcess.root)
    }

    /// The non-empty lines of `text`.
    func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    @Test func exportToCSVPagesThroughTheWholeExport() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appending(path: "usage.csv").path
        let r = try await run(["run", "--sandbox", "scripts/examples/integrator_export_to_csv.lua", csv, "--page-size", "50"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "822 records in 17 page(s) written to \(csv) (8 columns)\n")
        let rows = try String(contentsOfFile: csv, encoding: .utf8).components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(rows.count == 1 + 822)
        #expect(rows[0] == "custrecord_usage_diy_hours,custrecord_usage_diy_month_s,custrecord_usage_diy_ms,"
            + "custrecord_usage_diy_name,custrecord_usage_diy_userid,custrecord_usage_diy_year,recType,row")
        #expect(rows[1].hasSuffix(",813,1"))
        #expect(rows[822].hasSuffix(",813,822"))
        #expect(!FileManager.default.fileExists(atPath: csv + ".part"))

        let usage = try await run(["run", "--sandbox", "scripts/examples/integrator_export_to_csv.lua"])
        #expect(usage.status == 2)
        #expect(usage.stderr.contains("usage: lunet run integrator_export_to_csv.lua OUT.csv"))
    }

    @Test func importPrintsTheFailedRecordsWithTheirLines() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await run(["run", "--sandbox", "scripts/examples/integrator_import_failures.lua",
                               "scripts/examples/data/integrator_contacts.ndjson", "--batch-size", "3"])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(lines(r.stdout) == [
            "scripts/examples/data/integrator_contacts.ndjson: 7 records in 3 batch(es): 5 imported, 2 failed",
            "  line 3 (record 3): 422 invalid_field: `email` is not a valid email address.",
            "  line 6 (record 5): 422 missing_required_field: `name` is required.",
        ])

        try dir.write("{\"who\": \"A\", \"mail\": \"a@example.com\"}\n{not json\n", to: "in.ndjson")
        let bad = try await run(["run", "--sandbox", "scripts/examples/integrator_import_failures.lua",
                                 dir.appending(path: "in.ndjson").path])
        #expect(bad.status == 1)
        #expect(bad.stdout.contains(": 1 records in 1 batch(es): 1 imported, 0 failed, 1 unreadable line(s)"), "\(bad.stdout)")
        #expect(bad.stdout.contains("  line 2: not JSON: "))
    }

    /// Two runs in one sandbox (a driver calls the script twice): the second
    /// sees the first's summary in integrator.io's state.
    @Test func integratorToICLUpsertsAndRemembersTheRun() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let example = LunetProcess.root.appending(path: "scripts/examples/integrator_to_icl.lua").path
        try dir.write("""
            local exit = os.exit
            os.exit = function(code) error({ exit = code }, 0) end
            for run = 1, 2 do
              arg = { [0] = "\(example)" }
              local ok, e = pcall(dofile, arg[0])
              print("-- exit " .. tostring(ok and 0 or (type(e) == "table" and e.exit or tostring(e))))
            end
            local b = require("lunet.icl").connect():content("building")
            print(b:get("CEL-P001").strasse, b:get("CEL-P030").ort)
            exit(0)
            """, to: "driver.lua")
        let r = try await run(["run", "--sandbox", dir.appending(path: "driver.lua").path])
        #expect(r.status == 0, "\(r.stderr)")
        let out = lines(r.stdout)
        #expect(out.first == "30 records exported, 1 upsert batch(es): 28 stored, 2 refused", "\(r.stdout)")
        #expect(out.contains("  CEL-P007 (record 7): The field 'strasse' is required"))
        #expect(out.contains("  CEL-P019 (record 19): The field 'strasse' is required"))
        #expect(out.filter { $0 == "-- exit 1" }.count == 2)
        #expect(out.contains { $0.hasPrefix("previous run ") && $0.hasSuffix(": 30 exported, 28 stored, 2 refused") })
        #expect(out.last == "Ringstraße 1\tWien")
    }

    /// Options outside the sandbox: regions, url, token, routes; and the
    /// bare 401 body of a wrong token from a sandbox reached by URL.
    @Test func connectionOptionsAndTheBare401() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        try dir.write("""
            local integrator = require "lunet.integrator"
            local function url(o) return integrator.connect(o)._conn.url end
            print(url{ token = "t" })
            print(url{ token = "t", region = "eu" })
            print(url{ token = "t", region = "EU", url = "https://example.test" })
            print(select(2, pcall(function() local c = integrator.connect{ token = "t", region = "asia" }; return c end)))
            print(select(2, pcall(integrator.connect, { region = "eu" })))
            print(select(2, pcall(integrator.connect, { token = "t", url = "ftp://x" })))
            local base = os.getenv("SANDBOX") .. "/integrator/v1"
            local wrong = integrator.connect{ url = base, token = "not-the-token" }
            local ok, e = pcall(wrong.connections.get, wrong.connections, "5541e17a1383a6ce6e00000d")
            print(getmetatable(e).__name, e.status, e.code, e.message, tostring(e))
            local good = integrator.connect{ url = base, token = "integrator-sandbox-token", routes = { ["connections.get"] = "GET /connections/{id}/ping" } }
            print(require("lunet.json").encode(good.connections:get("5541e17a1383a6ce6e00000d")))
            print(select(2, pcall(integrator.connect, { url = base, routes = { ["nope"] = "GET /x" } })))
            """, to: "options.lua")
        // From the environment alone; an explicit region beats INTEGRATOR_URL.
        try dir.write("""
            local integrator = require "lunet.integrator"
            local celigo = integrator.connect()
            print(celigo:token_info()._userId)
            print(integrator.connect{ region = "eu" }._conn.url)
            print(#celigo.connections:list():collect())
            """, to: "env.lua")
        let sandbox = try await SandboxProcess.start()
        let result: Result<(LunetProcess.Result, LunetProcess.Result), any Error>
        do {
            let options = try await run(["run", dir.appending(path: "options.lua").path],
                                        environment: ["SANDBOX": sandbox.url])
            let env = try await run(["run", dir.appending(path: "env.lua").path], environment: [
                "INTEGRATOR_URL": sandbox.url + "/integrator/v1", "INTEGRATOR_TOKEN": "integrator-sandbox-token"])
            result = .success((options, env))
        } catch {
            result = .failure(error)
        }
        sandbox.stop()
        let (r, env) = try result.get()
        #expect(env.status == 0, "\(env.stderr)")
        #expect(lines(env.stdout) == ["5e03061cda20740022300f09", "https://api.eu.integrator.io/v1", "250"])
        #expect(r.status == 0, "\(r.stderr)")
        let out = lines(r.stdout)
        #expect(out.count == 9, "\(r.stdout)")
        guard out.count == 9 else { return }
        #expect(out[0] == "https://api.integrator.io/v1")
        #expect(out[1] == "https://api.eu.integrator.io/v1")
        #expect(out[2] == "https://example.test/v1")
        #expect(out[3].contains("options.lua:6: integrator.connect(): integrator: option"), "\(out[3])")
        #expect(out[3].contains("option 'region' must be one of eu, us, got 'asia'"))
        #expect(out[4].contains("option 'token' is required"))
        #expect(out[5].contains("option 'url' must be an http(s) URL"))
        #expect(out[6] == "lunet.Error\t401\tnil\tBearer Authentication Failed\t"
            + "integrator: GET /integrator/v1/connections/5541e17a1383a6ce6e00000d: 401 Unauthorized: Bearer Authentication Failed")
        #expect(out[7] == "{\"code\":200}")
        #expect(out[8].contains("unknown route 'nope'"))
        #expect(!r.stdout.contains("not-the-token") && !r.stderr.contains("not-the-token"))
    }
}
