import Foundation
import Testing

@Suite("lunet run")
struct RunCommandTests {
    @Test func scriptArgumentsAndVarargs() async throws {
        let dir = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try dir.write("print(arg[-1], arg[0], arg[1], arg[2], #arg, select('#', ...), ...)", to: "args.lua")
        let script = dir.appending(path: "args.lua").path
        let r = try await LunetProcess.run(["run", script, "one", "--two"])
        #expect(r.status == 0)
        #expect(r.stdout == "lunet\t\(script)\tone\t--two\t2\t2\tone\t--two\n")
    }

    @Test func inlineCode() async throws {
        let r = try await LunetProcess.run(["run", "-e", "print(arg[0], ...)", "a", "b"])
        #expect(r.status == 0)
        #expect(r.stdout == "-e\ta\tb\n")
    }

    @Test func standardInputScript() async throws {
        let r = try await LunetProcess.run(["run", "-", "x"], stdin: "print('from stdin', arg[0], arg[1])\n")
        #expect(r.status == 0)
        #expect(r.stdout == "from stdin\t-\tx\n")
    }

    @Test func replWithPipedInputRunsItAsAScript() async throws {
        let r = try await LunetProcess.run([], stdin: "local x = 20\nprint(x + 22)\n")
        #expect(r.status == 0)
        #expect(r.stdout == "42\n")
    }

    @Test func uncaughtErrorPrintsMessageAndTracebackAndExitsOne() async throws {
        let dir = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try dir.write("local function inner()\n  error('boom')\nend\ninner()\n", to: "fail.lua")
        let r = try await LunetProcess.run(["run", "fail.lua"], directory: dir)
        #expect(r.status == 1)
        let lines = r.stderr.split(separator: "\n").map(String.init)
        #expect(lines.first == "lunet: fail.lua:2: boom")
        #expect(lines.contains("stack traceback:"))
        #expect(lines.contains("\tfail.lua:2: in local 'inner'"))
        #expect(lines.contains("\tfail.lua:4: in main chunk"))
    }

    @Test func errorValuesThatAreTablesUseTostring() async throws {
        let r = try await LunetProcess.run([
            "run", "-e", "error(setmetatable({}, { __tostring = function() return 'custom failure' end }))",
        ])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("lunet: custom failure\n"))
    }

    @Test func syntaxErrorExitsOneWithoutTraceback() async throws {
        let r = try await LunetProcess.run(["run", "-e", "x = = 1"])
        #expect(r.status == 1)
        #expect(r.stderr == "lunet: (command line):1: unexpected symbol near '='\n")
    }

    @Test func missingScriptIsAUsageError() async throws {
        let r = try await LunetProcess.run(["run", "/nonexistent/script.lua"])
        #expect(r.status == 2)
        #expect(r.stderr == "lunet: cannot open /nonexistent/script.lua: no such file\n")
        let d = try await LunetProcess.run(["run", "/tmp"])
        #expect(d.status == 2)
        #expect(d.stderr.contains("is a directory"))
    }

    @Test func usageErrorsExitTwo() async throws {
        let unknown = try await LunetProcess.run(["run", "--no-such-option", "x.lua"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("--no-such-option"))
        let missing = try await LunetProcess.run(["run"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("missing SCRIPT"))
        let badTimeout = try await LunetProcess.run(["run", "--timeout", "-1", "-e", ""])
        #expect(badTimeout.status == 2)
        let badCommand = try await LunetProcess.run(["frobnicate"])
        #expect(badCommand.status == 2)
    }

    @Test func timeoutStopsARunawayScript() async throws {
        let started = Date()
        let r = try await LunetProcess.run(["run", "--timeout", "0.3", "-e", "while true do pcall(function() end) end"])
        #expect(r.status == 124)
        #expect(r.stderr.hasPrefix("lunet: "))
        #expect(r.stderr.contains("timeout: stopped after 0.3 s (--timeout 0.3)\nstack traceback:"))
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func sigintExits130() async throws {
        let r = try await LunetProcess.run(
            ["run", "-e", "io.stdout:write('ready\\n'); io.stdout:flush(); while true do end"], signalAfter: 0.5)
        #expect(r.status == 130)
        #expect(r.stdout == "ready\n")
        #expect(r.stderr.contains("interrupted"))
    }

    @Test func osExitCodeIsKept() async throws {
        let r = try await LunetProcess.run(["run", "-e", "print('bye'); os.exit(7)"])
        #expect(r.status == 7)
        #expect(r.stdout == "bye\n")
    }

    /// Frames inside lunet's own Lua modules are left out of the traceback
    /// (counted on a last line) unless LUNET_TRACEBACK=full.
    @Test func tracebackLeavesOutLunetModuleFramesUnlessAskedForAll() async throws {
        let dir = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try dir.write("local task = require 'lunet.task'\nlocal function f(x) error('boom ' .. x) end\ntask.map({ 1 }, f)\n", to: "s.lua")
        let short = try await LunetProcess.run(["run", "s.lua"], directory: dir)
        #expect(short.status == 1)
        #expect(short.stderr == """
            lunet: task.map(): item 1: s.lua:2: boom 1
            stack traceback:
            \ts.lua:3: in main chunk
            \t(2 frames inside lunet's modules not shown; LUNET_TRACEBACK=full shows them)

            """)
        let full = try await LunetProcess.run(["run", "s.lua"], environment: ["LUNET_TRACEBACK": "full"], directory: dir)
        #expect(full.status == 1)
        #expect(full.stderr.contains("\tstdlib/lunet/task.lua:"), "\(full.stderr)")
        #expect(!full.stderr.contains("not shown"))
    }

    @Test func shebangLineIsSkippedAndLineNumbersKept() async throws {
        let dir = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try dir.write("#!/usr/bin/env lunet\nerror('line two')\n", to: "s.lua")
        let r = try await LunetProcess.run(["run", "s.lua"], directory: dir)
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("lunet: s.lua:2: line two"))
    }

    @Test func helpAndVersionExitZero() async throws {
        let help = try await LunetProcess.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("run"))
        let version = try await LunetProcess.run(["--version"])
        #expect(version.status == 0)
        // before a script it is lunet's; after one, the script's
        let runHelp = try await LunetProcess.run(["run", "--help"])
        #expect(runHelp.status == 0)
        #expect(runHelp.stdout.contains("USAGE: lunet run"), "\(runHelp.stdout)\(runHelp.stderr)")
        let scriptArg = try await LunetProcess.run(["run", "-e", "print(arg[1])", "--help"])
        #expect(scriptArg.stdout == "--help\n", "\(scriptArg.stderr)")
    }

    /// A Swift binding throwing a million times under pcall keeps the
    /// process's resident memory flat (measured from inside the process).
    @Test func millionSwiftErrorsKeepMemoryFlat() async throws {
        let script = """
            local json = require "lunet.json"
            local function rss_kb()
              local f = assert(io.open("/proc/self/statm"))
              local pages = f:read("n"); pages = f:read("n"); f:close()
              return pages * 4
            end
            local function burn(n)
              for i = 1, n do
                local ok, err = pcall(function() return json.decode(nil) end)
                assert(not ok and err:find("bad argument #1", 1, true))
              end
              collectgarbage()
            end
            burn(100000)
            local before = rss_kb()
            burn(1000000)
            local after = rss_kb()
            print(before, after, after - before)
            """
        let r = try await LunetProcess.run(["run", "-e", script])
        #expect(r.status == 0, "\(r.stderr)")
        let fields = r.stdout.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        #expect(fields.count == 3)
        if fields.count == 3 { #expect(fields[2] < 1024, "RSS grew by \(fields[2]) kB over a million errors") }
    }
}

@Suite("lunet run with tasks")
struct RunTaskTests {
    @Test func sigintWhileWaitingStopsAtOnce() async throws {
        let started = Date()
        let r = try await LunetProcess.run(
            ["run", "-e", "io.stdout:write('ready\\n'); io.stdout:flush(); require('lunet.task').sleep(30)"],
            signalAfter: 0.5)
        #expect(r.status == 130)
        #expect(r.stderr.contains("interrupted"))
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func timeoutWhileTasksWait() async throws {
        let r = try await LunetProcess.run([
            "run", "--timeout", "0.3", "-e",
            "local task = require 'lunet.task'; local h = task.spawn(task.sleep, 30); h:wait()",
        ])
        #expect(r.status == 124)
        #expect(r.stderr.contains("timeout: stopped after 0.3 s"))
    }

    @Test func pcallCannotSwallowAnInterruptDuringAWait() async throws {
        let r = try await LunetProcess.run([
            "run", "--timeout", "0.3", "-e",
            "local task = require 'lunet.task'; while true do pcall(task.sleep, 10) end",
        ])
        #expect(r.status == 124)
    }

    @Test func aRunWaitsForSpawnedTasks() async throws {
        let r = try await LunetProcess.run([
            "run", "-e", "require('lunet.task').spawn(function() require('lunet.task').sleep(0.1); print('late') end)",
        ])
        #expect(r.status == 0)
        #expect(r.stdout == "late\n")
    }

    @Test func unobservedTaskFailureFailsTheRun() async throws {
        let r = try await LunetProcess.run(["run", "-e", "require('lunet.task').spawn(error, 'lost'); print('main done')"])
        #expect(r.status == 1)
        #expect(r.stdout == "main done\n")
        #expect(r.stderr.hasPrefix("lunet: task 2 failed: lost"))
    }
}

@Suite("lunet run --trace and --stats")
struct TraceTests {
    @Test func traceShowsExchangesButNoSecret() async throws {
        let script = """
            local lunet, http = require "lunet", require "lunet.http"
            local api = http.connect{ url = lunet.sandbox .. "/test", token = "tok-VERY-secret-1" }
            api:request{ method = "POST", path = "/echo", query = { password = "pw-VERY-secret-2", page = 1 },
                         body = { client_secret = "cs-VERY-secret-3", name = "n" } }
            api:request{ method = "POST", path = "/echo", form = { refresh_token = "rt-VERY-secret-4" } }
            """
        let r = try await LunetProcess.run(["run", "--sandbox", "--trace", "--stats", "-e", script])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("→ POST http://127.0.0.1:"))
        #expect(r.stderr.contains("← 200 OK"))
        #expect(r.stderr.contains("page=1"))
        #expect(r.stderr.contains("lunet: HTTP: 2 requests, 0 retries"))
        for secret in ["tok-VERY-secret-1", "pw-VERY-secret-2", "cs-VERY-secret-3", "rt-VERY-secret-4"] {
            #expect(!r.stderr.contains(secret), "\(secret) leaked into the trace")
            #expect(!r.stdout.contains(secret))
        }
    }
}
