import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// `lunet test`: discovery, the busted-compatible API, reports and exit codes.
@Suite("lunet test")
struct TestCommandTests {
    /// Writes `files` into a fresh folder and runs `lunet test ARGS` there.
    static func run(_ arguments: [String], files: [String: String]) async throws -> LunetProcess.Result {
        let dir = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, text) in files { try dir.write(text, to: name) }
        return try await LunetProcess.run(
            ["test"] + arguments,
            environment: ["XDG_STATE_HOME": dir.path, "XDG_CONFIG_HOME": dir.path, "LUNET_CONFIG": ""],
            directory: dir)
    }

    static let failing = """
        describe("records", function()
          it("match", function()
            assert.are.same({ id = 1, tags = { "a", "b" } }, { id = 1, tags = { "a", "b" } })
          end)
          it("differ", function()
            local got = { id = 1, name = "Bob", tags = { "a", "c" }, extra = true }
            assert.are.same({ id = 1, name = "Ada", tags = { "a", "b" } }, got)
          end)
        end)
        """

    @Test func failingSpecShowsFileLineAndDiffAndExitsOne() async throws {
        let r = try await Self.run([], files: ["spec/records_spec.lua": Self.failing])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stdout.contains("FAIL spec/records_spec.lua:7: records differ\n"), "\(r.stdout)")
        #expect(r.stdout.contains("""
              Expected objects to be the same.
              Differences (expected → actual):
                .name: "Ada" → "Bob"
                .tags[2]: "b" → "c"
                .extra: unexpected (got true)
            """), "\(r.stdout)")
        #expect(r.stdout.contains("  Expected: { id = 1, name = \"Ada\", tags = { \"a\", \"b\" } }"), "\(r.stdout)")
        #expect(r.stdout.hasSuffix("\n1 passed, 1 failed\n"), "\(r.stdout)")
    }

    @Test func passingRunExitsZeroAndCountsPending() async throws {
        let r = try await Self.run([], files: ["tests/ok_test.lua": """
            describe("math", function()
              it("adds", function() assert.equals(4, 2 + 2) end)
              it("not yet")
              pending("later too")
              it("pends from inside", function() pending("needs a server") end)
            end)
            """])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("SKIP tests/ok_test.lua:3: math not yet\n"), "\(r.stdout)")
        #expect(r.stdout.hasSuffix("1 passed, 0 failed, 3 skipped\n"), "\(r.stdout)")
    }

    @Test func hooksRunInBustedOrder() async throws {
        let r = try await Self.run(["spec"], files: ["spec/hooks_spec.lua": """
            local log = {}
            local function note(s) return function() log[#log + 1] = s end end
            describe("outer", function()
              setup(note("setup"))
              teardown(function() log[#log + 1] = "teardown"; print(table.concat(log, " ")) end)
              before_each(note("before-outer"))
              after_each(note("after-outer"))
              it("first", note("it1"))
              describe("inner", function()
                lazy_setup(note("setup-inner"))
                before_each(note("before-inner"))
                after_each(note("after-inner"))
                it("second", function() log[#log + 1] = "it2"; finally(note("finally")) end)
              end)
            end)
            """])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.hasPrefix("""
            setup before-outer it1 after-outer setup-inner before-outer before-inner it2 \
            after-inner after-outer finally teardown\n
            """), "\(r.stdout)")
        #expect(r.stdout.hasSuffix("2 passed, 0 failed\n"))
    }

    @Test func spiesAndStubs() async throws {
        let r = try await Self.run([], files: ["spy_spec.lua": """
            local api = { get = function(id) return "real " .. id end }
            describe("spies", function()
              it("spy.new records calls and results", function()
                local s = spy.new(function(a, b) return a + b end)
                assert.equals(3, s(1, 2)); s(5, 5)
                assert.spy(s).was.called(2)
                assert.spy(s).was.called_with(5, 5)
                assert.spy(s).was_not.called_with(9)
                assert.spy(s).was.called_with(match._, 2)
                assert.equals(10, s.returnvals[2][1])
              end)
              it("spy.on keeps calling the original", function()
                local s = spy.on(api, "get")
                assert.equals("real 7", api.get(7))
                assert.spy(s).was.called_with(7)
              end)
              it("stub replaces and is reverted after the test", function()
                local s = stub(api, "get", "fake")
                assert.equals("fake", api.get(1))
                s:invokes(function(id) return "via " .. id end)
                assert.equals("via 2", api.get(2))
                assert.stub(s).was.called(2)
              end)
              it("after the stub test the original is back", function()
                assert.equals("real 3", api.get(3))
              end)
              it("reports a wrong call count", function()
                local s = spy.new(function() end)
                s("x")
                assert.spy(s).was.called_with("y")
              end)
            end)
            """])
        #expect(r.status == 1)
        #expect(r.stdout.contains("FAIL spy_spec.lua:30: spies reports a wrong call count\n"), "\(r.stdout)")
        #expect(r.stdout.contains("  Expected spy(function) to be called with (\"y\")\n  Its calls:\n    1: (\"x\")\n"), "\(r.stdout)")
        #expect(r.stdout.hasSuffix("4 passed, 1 failed\n"), "\(r.stdout)")
    }

    @Test func hasErrorMatchesMessages() async throws {
        let r = try await Self.run([], files: ["errors_spec.lua": """
            local function boom() error("record 42 rejected") end
            describe("has_error", function()
              it("matches exact, without position, substring, pattern, table", function()
                assert.has_error(boom, "record 42 rejected")
                assert.has_error(boom, "42 rejected")
                assert.has_error(function() error("plain", 0) end, "plain")
                assert.has_error(function() error({ code = 7 }) end, { code = 7 })
                assert.error_matches(boom, "record %d+ rejected$")
                assert.has_no.errors(function() end)
                local e = assert.has_error(boom)
                assert.matches("errors_spec.lua:1: record 42", e)
              end)
              it("fails on another message", function() assert.has_error(boom, "record 43") end)
              it("fails when nothing is raised", function() assert.has_error(function() end) end)
              it("fails has_no.errors on an error", function() assert.has_no.errors(boom) end)
            end)
            """])
        #expect(r.status == 1)
        #expect(r.stdout.contains("FAIL errors_spec.lua:13: has_error fails on another message\n  Expected error \"record 43\"\n  Got error:      \"errors_spec.lua:1: record 42 rejected\"\n"), "\(r.stdout)")
        #expect(r.stdout.contains("FAIL errors_spec.lua:14: has_error fails when nothing is raised\n  Expected an error, but the function returned normally\n"), "\(r.stdout)")
        #expect(r.stdout.contains("FAIL errors_spec.lua:15: has_error fails has_no.errors on an error\n  Expected no error, got \"errors_spec.lua:1: record 42 rejected\"\n"), "\(r.stdout)")
        #expect(r.stdout.hasSuffix("1 passed, 3 failed\n"), "\(r.stdout)")
    }

    @Test func filterSelectsByFullName() async throws {
        let files = ["f_spec.lua": """
            describe("users", function()
              it("create", function() end)
              it("delete", function() error("should not run") end)
              it("pending create")
            end)
            describe("groups", function() it("create", function() error("should not run") end) end)
            """]
        let r = try await Self.run(["--filter", "^users create"], files: files)
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout == "1 passed, 0 failed\n")
        let p = try await Self.run(["--filter", "create"], files: files)
        #expect(p.stdout.hasSuffix("1 passed, 1 failed, 1 skipped\n"), "\(p.stdout)")
        let bad = try await Self.run(["--filter", "(unclosed"], files: files)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--filter \"(unclosed\": "), "\(bad.stderr)")
    }

    @Test func eachFileRunsInAFreshState() async throws {
        let r = try await Self.run([], files: [
            "a_test.lua": """
                leaked = "from a"
                string.leaked = true
                package.loaded.shared = { from = "a" }
                it("a", function() assert.equals("from a", leaked) end)
                """,
            "b_test.lua": """
                it("sees nothing of a", function()
                  assert.is_nil(rawget(_G, "leaked"))
                  assert.is_nil(string.leaked)
                  assert.is_nil(package.loaded.shared)
                end)
                """,
        ])
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout == "2 passed, 0 failed\n")
    }

    @Test func errorsOutsideTestsAreFailuresOfTheirFile() async throws {
        let r = try await Self.run([], files: [
            "broken_spec.lua": "local x = nil\nlocal y = x.field\n",
            "syntax_spec.lua": "it('x', function()\n",
            "describe_spec.lua": """
                describe("body", function()
                  it("declared before the error", function() end)
                  error("describe body broke")
                end)
                describe("setup", function()
                  setup(function() error("no server") end)
                  it("needs setup", function() end)
                end)
                """,
            "fine_spec.lua": "it('still runs', function() end)",
        ])
        #expect(r.status == 1)
        #expect(r.stdout.contains("ERROR broken_spec.lua:2: broken_spec.lua\n  error in broken_spec.lua outside any test: broken_spec.lua:2: attempt to index a nil value (local 'x')"), "\(r.stdout)")
        #expect(r.stdout.contains("ERROR syntax_spec.lua:2: syntax_spec.lua\n  syntax_spec.lua:2: 'end' expected"), "\(r.stdout)")
        #expect(r.stdout.contains("ERROR describe_spec.lua:3: body\n  error in describe 'body': describe_spec.lua:3: describe body broke"), "\(r.stdout)")
        #expect(r.stdout.contains("ERROR describe_spec.lua:6: setup needs setup\n  setup of 'setup' failed: describe_spec.lua:6: no server"), "\(r.stdout)")
        #expect(r.stdout.hasSuffix("2 passed, 4 failed\n"), "\(r.stdout)")
    }

    @Test func usageErrors() async throws {
        let none = try await Self.run([], files: ["lib/util.lua": "return {}"])
        #expect(none.status == 2)
        #expect(none.stderr == "lunet: test: no test files (*_test.lua, *_spec.lua) found in .\n")
        let missing = try await Self.run(["nope"], files: [:])
        #expect(missing.status == 2)
        #expect(missing.stderr == "lunet: test: no such file or folder: nope\n")
        let format = try await Self.run(["--output", "xml"], files: ["a_spec.lua": ""])
        #expect(format.status == 2)
        #expect(format.stderr.contains("--output must be text, tap or junit, got 'xml'"))
    }

    @Test func requireFindsModulesBesideTestsAndUnderTheRoot() async throws {
        let r = try await Self.run(["lib"], files: [
            "lib/mylib/init.lua": "return { name = 'mylib', helper = require 'mylib.helper' }",
            "lib/mylib/helper.lua": "return function(x) return x * 2 end",
            "lib/spec/mylib_spec.lua": """
                local mylib = require "mylib"
                local fixture = require "fixture"
                it("loads the library from the root and a helper beside the spec", function()
                  assert.equals(8, mylib.helper(fixture))
                end)
                """,
            "lib/spec/fixture.lua": "return 4",
        ])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout == "1 passed, 0 failed\n")
    }

    static let mixed = [
        "spec/mixed_spec.lua": """
            describe("a <b> & \\"c\\" #1", function()
              it("passes", function() end)
              it("fails with <xml> & 'quotes'", function() assert.equals("<a>", "b & c\\1") end)
              it("skips")
              it("errors", function() error("bad\\0byte") end)
            end)
            """,
        "spec/other_test.lua": "it('other', function() end)",
    ]

    /// TAP version 13: a version line, a plan 1..N, N numbered test lines,
    /// YAML diagnostics ("  ---" … "  ...") after failures, # comments.
    @Test func tapOutputFollowsTheTAP13Grammar() async throws {
        let r = try await Self.run(["--output", "tap"], files: Self.mixed)
        #expect(r.status == 1)
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLast()
        #expect(lines.first == "TAP version 13")
        let plan = try #require(lines.dropFirst().first)
        let planCount = try #require(plan.wholeMatch(of: /1\.\.(\d+)/).map { Int($0.1)! })
        var number = 0
        var inYAML = false
        var statuses: [String] = []
        for line in lines.dropFirst(2) {
            if inYAML {
                if line == "  ..." { inYAML = false; continue }
                #expect(line.hasPrefix("  "), "YAML line not indented: \(line)")
                continue
            }
            if line == "  ---" { inYAML = true; #expect(statuses.last == "not ok"); continue }
            if line.hasPrefix("#") { continue }
            let m = try #require(line.wholeMatch(of: /(not ok|ok) (\d+)(?: - ((?:[^#\\]|\\.)*))?(?: # (SKIP|TODO)(?: .*)?)?/), "not a TAP line: \(line)")
            number += 1
            #expect(Int(m.2) == number)
            statuses.append(m.4 != nil ? "skip" : String(m.1))
        }
        #expect(!inYAML)
        #expect(planCount == number)
        #expect(statuses == ["ok", "not ok", "skip", "not ok", "ok"])
        #expect(r.stdout.contains("ok 1 - spec/mixed_spec.lua: a <b> & \"c\" \\#1 passes\n"))
        #expect(r.stdout.contains("  at: \"spec/mixed_spec.lua:3\"\n  message: |-\n    Expected objects to be equal.\n"))
        #expect(r.stdout.hasSuffix("# 2 passed, 2 failed, 1 skipped\n"))
    }

    @Test func junitOutputIsWellFormedXML() async throws {
        let r = try await Self.run(["--output", "junit"], files: Self.mixed)
        #expect(r.status == 1)
        let doc = try XMLDocument(data: Data(r.stdout.utf8))
        let root = try #require(doc.rootElement())
        #expect(root.name == "testsuites")
        #expect(root.attribute(forName: "tests")?.stringValue == "5")
        #expect(root.attribute(forName: "failures")?.stringValue == "2")
        #expect(root.attribute(forName: "skipped")?.stringValue == "1")
        let suites = root.elements(forName: "testsuite")
        #expect(suites.map { $0.attribute(forName: "name")?.stringValue } == ["spec/mixed_spec.lua", "spec/other_test.lua"])
        let cases = suites[0].elements(forName: "testcase")
        #expect(cases.map { $0.attribute(forName: "name")?.stringValue ?? "" } == [
            "a <b> & \"c\" #1 passes", "a <b> & \"c\" #1 fails with <xml> & 'quotes'",
            "a <b> & \"c\" #1 skips", "a <b> & \"c\" #1 errors",
        ])
        #expect(cases[0].children == nil || cases[0].children!.isEmpty)
        let failure = try #require(cases[1].elements(forName: "failure").first)
        #expect(failure.attribute(forName: "type")?.stringValue == "assertion")
        #expect(failure.attribute(forName: "message")?.stringValue == "Expected objects to be equal.")
        #expect(failure.stringValue?.contains("Actual:   \"b & c\\1\"") == true, "\(failure.stringValue ?? "")")
        #expect(cases[1].attribute(forName: "line")?.stringValue == "3")
        #expect(cases[2].elements(forName: "skipped").count == 1)
        let error = try #require(cases[3].elements(forName: "failure").first)
        #expect(error.attribute(forName: "type")?.stringValue == "error")
        #expect(error.stringValue?.contains("bad\u{FFFD}byte") == true, "\(error.stringValue ?? "")")
        #expect(suites[1].elements(forName: "testcase").count == 1)
    }

    /// --sandbox: the emulators run in-process and lunet.icl connects to them.
    @Test func sandboxRunsLibraryTestsAgainstTheEmulators() async throws {
        let spec = """
            local lunet = require "lunet"
            describe("against the sandbox", function()
              it("has a sandbox and reaches the iCL emulator", function()
                assert.matches("^http://127%.0%.0%.1:%d+$", lunet.sandbox)
                local portal = require("lunet.icl").connect()
                assert.matches("icl connection http://127%.0%.0%.1", tostring(portal))
                assert.is_table(portal:types():list():collect())
              end)
            end)
            """
        let r = try await Self.run(["--sandbox"], files: ["icl_spec.lua": spec])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout == "1 passed, 0 failed\n")
        let without = try await Self.run([], files: ["icl_spec.lua": spec])
        #expect(without.status == 1)
    }

    @Test func timeoutStopsTheRunWith124() async throws {
        let r = try await Self.run(["--timeout", "0.5"], files: [
            "a_spec.lua": "it('finishes', function() end)",
            "b_spec.lua": "it('loops', function() while true do end end)",
        ])
        #expect(r.status == 124, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("timeout: tests stopped after 0.5 s (--timeout 0.5)"), "\(r.stderr)")
        #expect(r.stdout == "1 passed, 0 failed\n")
    }

    /// Lunet's own busted-style suites run unchanged under `lunet test`.
    @Test func lunetsOwnLuaSuitesRunUnchanged() async throws {
        let dir = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["XDG_STATE_HOME": dir.path, "XDG_CONFIG_HOME": dir.path, "LUNET_CONFIG": ""]
        let names = try FileManager.default.contentsOfDirectory(atPath: LunetProcess.root.appending(path: "Tests/lua").path)
            .filter { $0.hasSuffix("_test.lua") }.sorted().map { "Tests/lua/" + $0 }
        let plain = try await LunetProcess.run(["test"] + names, environment: env, directory: LunetProcess.root)
        #expect(plain.status == 0, "\(plain.stdout.suffix(3000))")
        #expect(plain.stdout.hasSuffix(" passed, 0 failed\n"))
        #expect(!plain.stdout.contains("\n0 passed") && !plain.stdout.hasPrefix("0 passed"))
        // One sandbox suite (all of them run in SandboxLuaSuiteTests; icl_errors alone waits ~30 s on retries).
        let sandbox = try await LunetProcess.run(
            ["test", "--sandbox", "Tests/lua/sandbox/icl_test.lua"], environment: env, directory: LunetProcess.root)
        #expect(sandbox.status == 0, "\(sandbox.stdout.suffix(3000))")
        #expect(sandbox.stdout.hasSuffix(" passed, 0 failed\n"))
        #expect(!sandbox.stdout.hasPrefix("0 passed"))
    }

    @Test func declaringInsideATestIsAnError() async throws {
        let r = try await Self.run([], files: ["nest_spec.lua": """
            describe("outer", function()
              it("nests", function() it("inner", function() end) end)
            end)
            """])
        #expect(r.status == 1)
        #expect(r.stdout.contains("ERROR nest_spec.lua:2: outer nests\n  nest_spec.lua:2: it() cannot be called inside a test (in 'outer nests')"), "\(r.stdout)")
    }

    @Test func aFailedTaskNobodyWaitedForFailsItsFile() async throws {
        let r = try await Self.run([], files: ["task_spec.lua": """
            local task = require "lunet.task"
            it("spawns and forgets", function() task.spawn(function() error("lost work") end) end)
            """])
        #expect(r.status == 1)
        #expect(r.stdout.contains("ERROR task_spec.lua: task_spec.lua\n  task "), "\(r.stdout)")
        #expect(r.stdout.contains("failed with nobody waiting for it: task_spec.lua:2: lost work"), "\(r.stdout)")
    }

    @Test func skipsHiddenFoldersLuaModulesAndFolderLinks() async throws {
        let dir = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try dir.write("it('runs', function() end)", to: "spec/a_spec.lua")
        try dir.write("error('must not run')", to: ".git/hook_spec.lua")
        try dir.write("error('must not run')", to: "lua_modules/share/lua/5.4/x_spec.lua")
        try FileManager.default.createSymbolicLink(atPath: dir.appending(path: "spec/loop").path, withDestinationPath: dir.path)
        let r = try await LunetProcess.run(["test"], directory: dir)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout == "1 passed, 0 failed\n")
    }

    @Test func interruptStopsTheRunWith130() async throws {
        let dir = try LunetProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try dir.write("it('loops', function() while true do end end)", to: "loop_spec.lua")
        try dir.write("it('never reached', function() end)", to: "z_spec.lua")
        let r = try await LunetProcess.run(["test"], directory: dir, signalAfter: 1)
        #expect(r.status == 130, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.hasPrefix("lunet: interrupted"), "\(r.stderr)")
        #expect(!r.stdout.contains("1 passed"))
    }
}
