import ArgumentParser
import CLuaShim
import Foundation
import LunetBridge
import LunetRuntime

struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run Lua test files (*_test.lua, *_spec.lua) with a busted-compatible API.",
        discussion: """
            PATHs are files or folders (searched recursively, skipping hidden folders, \
            lua_modules, node_modules and symbolic links to folders); without PATH the current folder. Each file runs \
            in a fresh Lua state. `require` finds modules beside the test file and in the \
            PATH it was found under. Exit codes: 0 all passed, 1 a test failed, 2 usage error \
            (also: no test file found), 124 --timeout, 130 interrupted.
            """
    )

    @Option(help: ArgumentHelp("Run only tests whose full name (\"describe … it\") matches this Lua pattern.", valueName: "PATTERN"))
    var filter: String?

    @Option(help: ArgumentHelp("text (default), tap (TAP version 13) or junit (JUnit XML), on standard output.", valueName: "FORMAT"))
    var output: String = "text"

    @Option(help: ArgumentHelp("Stop the whole run after SECONDS (exit code 124).", valueName: "SECONDS"))
    var timeout: Double?

    @OptionGroup var session: SessionOptions

    @Argument(help: "Test files or folders (default: the current folder).")
    var paths: [String] = []

    func validate() throws {
        guard TestReport.Format(rawValue: output) != nil else {
            throw ValidationError("--output must be text, tap or junit, got '\(output)'")
        }
        try RunCommand.validateTimeout(timeout)
    }

    func run() throws {
        let discovery: TestDiscovery
        do {
            discovery = try TestDiscovery(paths.isEmpty ? ["."] : paths)
        } catch {
            Diagnostics.error("test: \(error.message)")
            throw ExitCode(ExitStatus.usage)
        }
        guard !discovery.files.isEmpty else {
            let searched = (paths.isEmpty ? ["."] : paths).joined(separator: ", ")
            Diagnostics.error("test: no test files (*_test.lua, *_spec.lua) found in \(searched)")
            throw ExitCode(ExitStatus.usage)
        }
        let report = TestReport(format: TestReport.Format(rawValue: output)!)
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        for file in discovery.files {
            let outcome = try TestFileRun(file: file, filter: filter, session: session, deadline: deadline, timeout: timeout).run()
            switch outcome {
            case .results(let results):
                report.add(results)
            case .usage(let message):
                Diagnostics.error("test: \(message)")
                throw ExitCode(ExitStatus.usage)
            case .stopped(let error, let partial):
                report.add(partial)
                report.finish()
                Diagnostics.scriptError(error)
                throw ExitCode(error.kind == .timedOut ? ExitStatus.timeout : ExitStatus.interrupted)
            }
        }
        report.finish()
        if report.failedCount > 0 { throw ExitCode(ExitStatus.scriptError) }
    }
}

/// The test files under the given paths, each with the root it was found under.
struct TestDiscovery {
    struct File { var path: String; var root: String }
    struct Problem: Error { var message: String }
    private(set) var files: [File] = []
    static let skippedFolders: Set<String> = ["lua_modules", "node_modules"]

    static func isTestFile(_ name: String) -> Bool { name.hasSuffix("_test.lua") || name.hasSuffix("_spec.lua") }

    init(_ paths: [String]) throws(Problem) {
        let fm = FileManager.default
        var seen = Set<String>()
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw Problem(message: "no such file or folder: \(path)")
            }
            var found: [String] = []
            let root: String
            if isDirectory.boolValue {
                root = path
                Self.walk(path, into: &found)
                found.sort()
            } else {
                root = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
                found = [path]
            }
            for f in found where seen.insert((f as NSString).standardizingPath).inserted {
                files.append(File(path: f, root: root))
            }
        }
    }

    private static func walk(_ dir: String, into found: inout [String]) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
        for name in names where !name.hasPrefix(".") {
            let path = dir == "." ? name : (dir.hasSuffix("/") ? dir + name : dir + "/" + name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                // symbolic links to folders are not followed (no loops)
                let isLink = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil
                if !skippedFolders.contains(name) && !isLink { walk(path, into: &found) }
            } else if isTestFile(name) {
                found.append(path)
            }
        }
    }
}

/// One test's outcome, as lunet.test's run_file reports it.
struct TestResult {
    enum Status: String { case passed, failed, error, skipped }
    var file: String
    var name: String
    var status: Status
    var message: String?
    var location: String?
    var trace: String?
    var time: Double
}

/// Runs one test file in a fresh session (fresh Lua state; with --sandbox,
/// fresh emulators).
struct TestFileRun {
    enum Outcome {
        case results([TestResult])
        case usage(String)
        case stopped(LuaScriptError, [TestResult])
    }

    var file: TestDiscovery.File
    var filter: String?
    var session: SessionOptions
    var deadline: Date?
    var timeout: Double?

    static let driver = """
        local path, filter, dirs = ...
        for i = #dirs, 1, -1 do
          local d = dirs[i]
          package.path = d .. "/?.lua;" .. d .. "/?/init.lua;" .. package.path
          package.cpath = d .. "/?.so;" .. package.cpath
        end
        return require("lunet.test").run_file(path, { filter = filter })
        """

    func run() throws(ExitCode) -> Outcome {
        var dirs = [(file.path as NSString).deletingLastPathComponent]
        if dirs[0].isEmpty { dirs[0] = "." }
        if file.root != dirs[0] { dirs.append(file.root) }
        let context = try Session(session, scriptDirectory: dirs[0], scriptName: file.path)
        defer { context.close() }
        let runtime = context.runtime
        runtime.setArguments(script: file.path, [])
        let lua = runtime.lua
        lunet_catchsigint(lua.L)
        defer { lunet_releasesigint() }
        var timer: DispatchSourceTimer? = nil
        if let deadline, let timeout {
            timer = ScriptRunner.startTimer(
                seconds: deadline.timeIntervalSinceNow, handle: lua.interruptHandle, what: "tests", limit: timeout)
        }
        defer { timer?.cancel() }

        let base = lua.top
        defer { lua.top = base }
        do {
            try lua.load(Self.driver, name: "=lunet test")
            let call = LuaCall(L: lua.L, name: "test")
            call.pushString(file.path)
            if let filter { call.pushString(filter) } else { lua_pushnil(lua.L) }
            try! LuaValue.table(LuaTable(array: dirs.map { .string(LuaString($0)) })).push(lua.L)
            let count = try runtime.scheduler.run(nargs: 3, waitForAll: true)
            lunet_flush_stdout()
            var results: [TestResult] = []
            if count >= 1, case .table(let t)? = try? LuaValue.read(lua.L, -1) {
                if case .string(let message)? = t["usage_error"] { return .usage(message.description) }
                if case .table(let list)? = t["tests"] { results = list.array.compactMap { Self.result($0, file: file.path) } }
            }
            for failure in runtime.scheduler.takeUnobservedFailures() {
                results.append(TestResult(
                    file: file.path, name: file.path, status: .error,
                    message: "task \(failure.taskID) failed with nobody waiting for it: \(failure.error.message)",
                    location: nil, trace: failure.error.traceback, time: 0))
            }
            return .results(results)
        } catch {
            lunet_flush_stdout()
            if error.kind == .interrupted || error.kind == .timedOut { return .stopped(error, []) }
            return .results([TestResult(
                file: file.path, name: file.path, status: .error, message: error.message,
                location: nil, trace: error.traceback, time: 0)])
        }
    }

    static func result(_ value: LuaValue, file: String) -> TestResult? {
        guard case .table(let t) = value else { return nil }
        func text(_ key: String) -> String? {
            if case .string(let s)? = t[key] { return s.description }
            return nil
        }
        var time = 0.0
        switch t["time"] {
        case .number(let d)?: time = d
        case .integer(let i)?: time = Double(i)
        default: break
        }
        return TestResult(
            file: file, name: text("name") ?? "?", status: TestResult.Status(rawValue: text("status") ?? "") ?? .error,
            message: text("message"), location: text("where"), trace: text("trace"), time: time)
    }
}
