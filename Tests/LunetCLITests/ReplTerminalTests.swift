import Foundation
import Testing

/// `lunet repl` driven through a pseudo-terminal (see ReplTerminal).
@Suite("REPL on a terminal", .serialized)
struct ReplTerminalTests {
    /// A fresh XDG home per test: history, config and state stay inside.
    static func home() throws -> (URL, [String: String]) {
        let dir = try LunetProcess.temporaryDirectory()
        return (dir, [
            "XDG_STATE_HOME": dir.appending(path: "state").path,
            "XDG_CONFIG_HOME": dir.appending(path: "config").path,
            "XDG_DATA_HOME": dir.appending(path: "data").path,
        ])
    }

    @Test func localsUnderscoreSemicolonAndMultiLineChunks() async throws {
        let (dir, env) = try Self.home()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = try await ReplTerminal.session(environment: env) { term in
            #expect(term.waitFor("Ctrl-D exits"))
            term.type("local x = 41")
            term.type("x + 1")
            #expect(term.waitFor("\n42\n"))
            term.type("_ * 2")
            #expect(term.waitFor("\n84\n"))
            term.type("1000 + 1;")
            term.type("_")
            #expect(term.waitFor("\n1001\n"))
            term.type("local function sq(n)")
            term.type("  return n * n")
            term.type("end")
            term.type("sq(9)")
            #expect(term.waitFor("\n81\n"))
            term.type("for i = 1, 3 do")
            term.type("  io.write(i, ',')")
            term.type("end")
            #expect(term.waitFor("1,2,3,"))
            term.type("rawget(_G, 'x'), x")
            #expect(term.waitFor("\nnil\n41\n"))
            return term.text
        }
        // `1000 + 1;` printed nothing: 1001 appears once (from `_`)
        #expect(text.components(separatedBy: "\n1001\n").count == 2, "\(text)")
        #expect(text.contains(">> "), "continuation prompt missing: \(text)")
    }

    @Test func pastedBlockRunsWhole() async throws {
        let (dir, env) = try Self.home()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = try await ReplTerminal.session(environment: env) { term in
            #expect(term.waitFor("Ctrl-D exits"))
            // all at once, as a paste arrives: one chunk, run whole
            term.send("local a = 'pa'\nlocal b = a .. 'sted'\nprint(b)\n")
            #expect(term.waitFor("pasted"))
            // run whole, the second line is a call statement (its value is
            // dropped); typed alone it would be an expression and print
            term.send("shout = 'quiet'\n(shout):upper()\nprint('block done')\n")
            #expect(term.waitFor("block done"))
            // a paste of one expression per line runs line by line
            term.send("'one'\n'two'\n")
            #expect(term.waitFor("\"two\""))
            return term.text
        }
        #expect(text.contains("\"one\""), "\(text)")
        #expect(!text.contains("\"QUIET\""), "the pasted block ran line by line: \(text)")
    }

    @Test func tabCompletesMethodsModulesAndPaths() async throws {
        let (dir, env) = try Self.home()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "file contents".write(to: dir.appending(path: "complete-me-1234.txt"), atomically: true, encoding: .utf8)
        let text = try await ReplTerminal.session(environment: env) { term in
            #expect(term.waitFor("Ctrl-D exits"))
            term.type("obj = setmetatable({}, { __index = { greeting = function(self) return 'hello there' end } })")
            term.send("obj:gree")
            Thread.sleep(forTimeInterval: 0.3)
            term.send("\t")
            Thread.sleep(forTimeInterval: 0.3)
            term.type("()")
            #expect(term.waitFor("\"hello there\""))
            term.send("string.rev")
            Thread.sleep(forTimeInterval: 0.3)
            term.send("\t")
            Thread.sleep(forTimeInterval: 0.3)
            term.type("('abc')")
            #expect(term.waitFor("\"cba\""))
            // module names after require, file paths inside other strings
            term.send("m = require \"lunet.insp")
            Thread.sleep(forTimeInterval: 0.3)
            term.send("\t")
            Thread.sleep(forTimeInterval: 0.3)
            term.type("\"")
            term.type("m.is_identifier('ok')")
            #expect(term.waitFor("\ntrue\n"))
            term.send("io.open(\"\(dir.path)/complete-me-")
            Thread.sleep(forTimeInterval: 0.3)
            term.send("\t")
            Thread.sleep(forTimeInterval: 0.3)
            term.type("\"):read('a')")
            #expect(term.waitFor("\"file contents\""))
            // a replaced `package` must not break (or crash) module completion
            term.type("real_package, package = package, 1")
            term.send("require \"lunet.insp")
            Thread.sleep(forTimeInterval: 0.3)
            term.send("\t")
            Thread.sleep(forTimeInterval: 0.3)
            term.type("\"")
            term.type("package = real_package; print('still here')")
            #expect(term.waitFor("\nstill here\n"))
            return term.text
        }
        #expect(!text.contains("attempt to call"), "\(text)")
    }

    @Test func ctrlCInterruptsASleepingCallAndReturnsToThePrompt() async throws {
        let (dir, env) = try Self.home()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (elapsed, status, text) = try await ReplTerminal.session(environment: env) { term in
            #expect(term.waitFor("Ctrl-D exits"))
            term.type("lunet.task.sleep(30)")
            Thread.sleep(forTimeInterval: 0.7)
            let start = Date()
            term.send("\u{3}")
            #expect(term.waitFor("interrupted"))
            let elapsed = Date().timeIntervalSince(start)
            term.type("'still here'")
            #expect(term.waitFor("\"still here\""))
            // a busy Lua loop stops too (the interrupt hook)
            term.type("local n = 0; while true do n = n + 1 end")
            Thread.sleep(forTimeInterval: 0.5)
            term.send("\u{3}")
            #expect(term.waitFor("interrupted", count: 2))
            term.type("n > 0")
            #expect(term.waitFor("\ntrue\n"))
            // Ctrl-C at the prompt clears the line, the REPL goes on
            term.send("this is not run")
            Thread.sleep(forTimeInterval: 0.2)
            term.send("\u{3}")
            Thread.sleep(forTimeInterval: 0.3)
            term.type("'after ctrl-c'")
            #expect(term.waitFor("\"after ctrl-c\""))
            return (elapsed, term.finish(), term.text)
        }
        #expect(elapsed < 5, "Ctrl-C took \(elapsed) s")
        #expect(status == 0, "\(text)")
        #expect(text.contains("this is not run^C\n"), "\(text)")
        #expect(!text.contains("syntax error") && !text.contains("unexpected symbol"), "the dropped line ran: \(text)")
    }

    @Test func helpPrintsSignatureParagraphAndExample() async throws {
        let (dir, env) = try Self.home()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = try await ReplTerminal.session(environment: env) { term in
            #expect(term.waitFor("Ctrl-D exits"))
            term.type("help(json.encode)")
            #expect(term.waitFor("Example:"))
            term.type("help('icl.Content:upsert')")
            #expect(term.waitFor("content:upsert(items:"))
            return term.text
        }
        #expect(text.contains("json.encode(value: any, options:"), "\(text)")
        #expect(text.contains("print(json.encode({ name = \"HG\""), "\(text)")
    }

    @Test func historyIsWrittenOneEntryPerChunk() async throws {
        let (dir, env) = try Self.home()
        defer { try? FileManager.default.removeItem(at: dir) }
        let status = try await ReplTerminal.session(environment: env) { term in
            #expect(term.waitFor("Ctrl-D exits"))
            term.type("history_marker = 1")
            term.type("if true then")
            term.type("  history_two = 2")
            term.type("end")
            return term.finish()
        }
        #expect(status == 0)
        let history = try String(contentsOf: dir.appending(path: "state/lunet/history"), encoding: .utf8)
        let entries = history.split(separator: "\n").filter { !$0.hasPrefix("_HiStOrY_V2_") }
        #expect(entries.count == 2, "\(history)")
        #expect(entries.first?.contains("history_marker") == true, "\(history)")
        // libedit escapes the newlines of a multi-line entry (\012)
        #expect(entries.last?.contains("history_two") == true && entries.last?.contains("if") == true, "\(history)")
    }

    @Test func arraysOfRecordsPrintAsTables() async throws {
        let (dir, env) = try Self.home()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = try await ReplTerminal.session(environment: env) { term in
            #expect(term.waitFor("Ctrl-D exits"))
            term.type("{ { id = 1, name = 'alpha', password = 'pw' }, { id = 22, name = 'Gebäude' } }")
            #expect(term.waitFor("22  Gebäude"))
            return term.text
        }
        #expect(text.contains("id  name     password"), "\(text)")
        #expect(text.contains("1   alpha    ••••"), "\(text)")
        #expect(!text.contains("\"pw\""), "\(text)")
    }

    @Test func startupFileRunsFirstAndItsErrorsDoNotStopTheRepl() async throws {
        let (dir, env) = try Self.home()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rc = dir.appending(path: "config/lunet/replrc.lua")
        try FileManager.default.createDirectory(at: rc.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "local rc_local = 'from rc'\nrc_global = 7\n".write(to: rc, atomically: true, encoding: .utf8)
        let text = try await ReplTerminal.session(environment: env) { term in
            #expect(term.waitFor("Ctrl-D exits"))
            term.type("rc_local, rc_global")
            #expect(term.waitFor("\"from rc\"\n7"))
            return term.text
        }
        #expect(text.contains("\"from rc\""))

        try "rc_global = 1\nerror('broken rc')\n".write(to: rc, atomically: true, encoding: .utf8)
        let broken = try await ReplTerminal.session(environment: env) { term in
            #expect(term.waitFor("Ctrl-D exits"))
            term.type("rc_global")
            #expect(term.waitFor("\n1\n"))
            return term.text
        }
        #expect(broken.contains("replrc.lua:2: broken rc"), "\(broken)")
    }

    @Test func sandboxConnectsPortalLazilyAndCompletesItsMethods() async throws {
        let (dir, env) = try Self.home()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = try await ReplTerminal.session(["repl", "--sandbox"], environment: env) { term in
            #expect(term.waitFor("Ctrl-D exits"))
            term.type("portal")
            #expect(term.waitFor("<icl connection http://127.0.0.1:"))
            term.send("portal:cont")
            Thread.sleep(forTimeInterval: 0.3)
            term.send("\t")
            Thread.sleep(forTimeInterval: 0.3)
            term.type("('building'):list{ page_size = 25 }")
            #expect(term.waitFor("<cursor content(building) page_size=25>"))
            term.type("help(portal)")
            #expect(term.waitFor("icl.Portal (module lunet.icl)"))
            // the emulators start with their demo data
            term.type("#ic.projects:list():collect(), portal:content('building'):list():total()")
            #expect(term.waitFor("\n2\n1200\n"))
            return term.text
        }
        #expect(text.contains("sandbox with demo data http://127.0.0.1:"), "banner: \(text)")
        #expect(text.contains(": cd, celigo, ic, portal ·"), "banner lists the globals: \(text)")
    }

    /// A running sandbox named by --sandbox-url (no config file at all):
    /// every service is a global, pointed at it, and the data is its own.
    @Test func sandboxURLGivesEveryConnectionGlobal() async throws {
        let (dir, env) = try Self.home()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sandbox = try await SandboxProcess.start()
        defer { sandbox.stop() }
        let text = try await ReplTerminal.session(["repl", "--sandbox-url", sandbox.url], environment: env) { term in
            #expect(term.waitFor("Ctrl-D exits"))
            term.type("portal")
            #expect(term.waitFor("<icl connection \(sandbox.url)/icl"))
            return term.text
        }
        #expect(text.contains("sandbox \(sandbox.url): cd, celigo, ic, portal ·"), "banner: \(text)")
        #expect(!text.contains("demo data"), "banner: \(text)")
    }

    @Test func profileGlobalsAreTheServicesTheProfileConfigures() async throws {
        let (dir, env) = try Self.home()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appending(path: "config/lunet/config.lua")
        try FileManager.default.createDirectory(at: config.deletingLastPathComponent(), withIntermediateDirectories: true)
        try """
            return { profiles = {
              dev = { icl = { url = "https://dev.portal.invalid", token = "dev-token" } },
              other = { coredata = { url = "https://cd.invalid", user = "u", key = "k" } },
            } }
            """.write(to: config, atomically: true, encoding: .utf8)
        let text = try await ReplTerminal.session(["repl", "--profile", "dev"], environment: env) { term in
            #expect(term.waitFor("Ctrl-D exits"))
            // lazily: nothing is sent until a call, so the invalid host does not matter
            term.type("portal")
            #expect(term.waitFor("<icl connection https://dev.portal.invalid"))
            term.type("cd")
            #expect(term.waitFor("\nnil\n"))
            return term.text
        }
        #expect(text.contains("· profile dev: portal ·"), "banner: \(text)")
        #expect(text.contains("profile=dev>"), "\(text)")
    }

    @Test func colourOnlyWithoutNoColor() async throws {
        let (dir, env) = try Self.home()
        defer { try? FileManager.default.removeItem(at: dir) }
        var colourEnv = env
        colourEnv["NO_COLOR"] = ""
        let coloured = try await ReplTerminal.session(environment: colourEnv) { term in
            #expect(term.waitFor("Ctrl-D exits"))
            term.type("{ 'green' }")
            #expect(term.waitFor("green\""))
            return term.raw
        }
        #expect(coloured.contains("\u{1B}[32m\"green\"\u{1B}[0m"), "\(coloured.debugDescription)")
        let plain = try await ReplTerminal.session(environment: env) { term in
            #expect(term.waitFor("Ctrl-D exits"))
            term.type("{ 'green' }")
            #expect(term.waitFor("green\""))
            return term.raw
        }
        #expect(!plain.contains("\u{1B}[32m"))
    }
}

@Suite("REPL without a terminal")
struct ReplScriptTests {
    @Test func standardInputThatIsNotATerminalRunsAsAScript() async throws {
        let r = try await LunetProcess.run(["repl"], stdin: "local x = 20\nprint(x + 22)\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "42\n")
    }
}
