import CLuaShim
import Foundation
import LunetBridge
import LunetRuntime

/// The interactive loop, read the way `lua.c` reads: try the chunk as
/// `return <chunk>` (an expression), else as statements; a syntax error at
/// `<eof>` means the chunk is incomplete, so keep reading with ">> ".
/// Compiling, printing and completion are Lua (stdlib/lunet/repl.lua, one
/// session object kept in the registry); this side reads lines, keeps
/// history, runs chunks as tasks (Ctrl-C interrupts them) and lists files.
final class ReplSession {
    let runtime: Runtime
    private(set) var editor: LineEditor!
    private var sessionRef: Int32 = LUA_NOREF
    private var lua: LuaState { runtime.lua }

    struct Options {
        var color = false
        var width = 100
        var services: [String] = []
        var historyPath = LineEditor.defaultHistoryPath
    }

    init(runtime: Runtime, options: Options) throws(LuaScriptError) {
        self.runtime = runtime
        try start(options)
        editor = LineEditor(historyPath: options.historyPath) { [unowned self] line, word in
            self.complete(line: line, word: word)
        }
        connections = stringList(field: "connections")
    }

    private(set) var connections: [String] = []

    // MARK: The Lua session

    private func start(_ options: Options) throws(LuaScriptError) {
        let L = lua.L
        let base = lua.top
        defer { lua.top = base }
        try lua.load("return require('lunet.repl').start(...)", name: "=repl")
        lua_createtable(L, 0, 3)
        lua_pushboolean(L, options.color ? 1 : 0)
        lua_setfield(L, -2, "color")
        lua_pushinteger(L, lua_Integer(options.width))
        lua_setfield(L, -2, "width")
        lua_createtable(L, Int32(options.services.count), 0)
        for (i, s) in options.services.enumerated() {
            lua_pushstring(L, s)
            lua_rawseti(L, -2, lua_Integer(i + 1))
        }
        lua_setfield(L, -2, "services")
        try lua.call(nargs: 1, nresults: 1)
        sessionRef = luaL_ref(L, lunet_registryindex())
    }

    /// Push session[name] and session (ready for arguments).
    private func pushMethod(_ name: String) {
        let L = lua.L
        lua_rawgeti(L, lunet_registryindex(), lua_Integer(sessionRef))
        lua_getfield(L, -1, name)
        lua_rotate(L, -2, 1)
    }

    private func pushText(_ text: String) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(lua.L, $0.baseAddress, $0.count) }
        }
    }

    private func string(at index: Int32) -> String? {
        var length = 0
        guard lua_type(lua.L, index) == LUA_TSTRING, let p = lua_tolstring(lua.L, index, &length) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: length), as: UTF8.self)
    }

    private func stringList(field: String) -> [String] {
        let L = lua.L
        let base = lua.top
        defer { lua.top = base }
        lua_rawgeti(L, lunet_registryindex(), lua_Integer(sessionRef))
        guard lua_getfield(L, -1, field) == LUA_TTABLE else { return [] }
        return arrayOfStrings(at: -1)
    }

    private func arrayOfStrings(at index: Int32) -> [String] {
        let L = lua.L
        let table = lua_absindex(L, index)
        var out: [String] = []
        let n = lua_rawlen(L, table)
        if n > 0 {
            for i in 1...n {
                lua_rawgeti(L, table, lua_Integer(i))
                if let s = string(at: -1) { out.append(s) }
                lunet_pop(L, 1)
            }
        }
        return out
    }

    enum Compiled: Equatable {
        case ready  // the chunk is on the stack
        case incomplete
        case failed(String)
    }

    func compile(_ text: String) -> Compiled {
        let L = lua.L
        pushMethod("compile")
        pushText(text)
        do { try lua.call(nargs: 2, nresults: 3) } catch { return .failed(error.message) }
        if lua_type(L, -3) == LUA_TFUNCTION {
            lunet_pop(L, 2)
            return .ready
        }
        let message = string(at: -2) ?? "?"
        let incomplete = lua_toboolean(L, -1) != 0
        lunet_pop(L, 3)
        return incomplete ? .incomplete : .failed(message)
    }

    private func isIncomplete(_ text: String) -> Bool {
        let base = lua.top
        defer { lua.top = base }
        return compile(text) == .incomplete
    }

    // MARK: The loop

    func loop(banner: String) {
        print(banner)
        lunet_flush_stdout()
        while let chunk = readChunk() {
            editor.remember(chunk)
            editor.save()  // after every chunk: a killed session keeps its history
            evaluate(chunk)
        }
        print()
        editor.save()
    }

    /// Read lines until they form a complete chunk and no more pasted input
    /// is waiting (a pasted block runs whole). nil at end of input.
    private func readChunk() -> String? {
        while true {
            switch editor.readLine(prompt: "> ") {
            case .end: return nil
            case .interrupted:
                print("^C")  // the line is dropped (libedit does not echo it)
                continue
            case .line(let first):
                var text = first
                while isIncomplete(text) || editor.inputPending() {
                    switch editor.readLine(prompt: ">> ") {
                    case .end: return text
                    case .interrupted:
                        print("^C")
                        text = ""
                    case .line(let more): text += "\n" + more
                    }
                    if text.isEmpty { break }
                }
                if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { continue }
                return text
            }
        }
    }

    /// Compile, run as a task (Ctrl-C interrupts it), set `_`, print.
    func evaluate(_ text: String, splitPaste: Bool = true) {
        let base = lua.top
        defer { lua.top = base }
        let quiet = text.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix(";")
        switch compile(text) {
        case .ready: run(quiet: quiet, base: base)
        case .incomplete: lunet_write_stderr("lunet: incomplete chunk at end of input\n")
        case .failed(let message):
            lua.top = base
            if splitPaste && text.contains("\n") {
                evaluateLineByLine(text)
            } else {
                lunet_write_stderr("lunet: \(message)\n")
            }
        }
    }

    /// A pasted block that does not compile as a whole (several
    /// expressions, one per line): run it as the chunks its lines form,
    /// each as soon as it is complete, the way they would run if typed.
    private func evaluateLineByLine(_ text: String) {
        var pending = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            pending += pending.isEmpty ? String(line) : "\n" + line
            if pending.trimmingCharacters(in: .whitespaces).isEmpty { pending = ""; continue }
            if isIncomplete(pending) { continue }
            evaluate(pending, splitPaste: false)
            pending = ""
        }
        if !pending.isEmpty { evaluate(pending, splitPaste: false) }
    }

    /// Run the function on top of the stack (above `base`) and print its results.
    private func run(quiet: Bool, base: Int32) {
        let L = lua.L
        lunet_catchsigint(L)
        defer {
            lunet_releasesigint()
            lua.clearInterrupt()
        }
        do {
            let count = try runtime.scheduler.run(nargs: 0, waitForAll: false)
            lunet_flush_stdout()
            for failure in runtime.scheduler.takeUnobservedFailures() { Diagnostics.taskError(failure) }
            if count > 0 {
                lua_pushvalue(L, base + 1)
                lua.setGlobal("_")
                if !quiet { printResults(base: base, count: count) }
            }
        } catch {
            lunet_flush_stdout()
            if error.kind == .interrupted {
                lunet_write_stderr("interrupted\n")
            } else {
                Diagnostics.scriptError(error)
            }
        }
    }

    private func printResults(base: Int32, count: Int32) {
        let L = lua.L
        pushMethod("show")
        lua_pushinteger(L, lua_Integer(count))
        for i in 1...count { lua_pushvalue(L, base + i) }
        do {
            try lua.call(nargs: count + 2, nresults: 1)
            if let text = string(at: -1) {
                print(text + "\n", terminator: "")
                lunet_flush_stdout()
            }
            lunet_pop(L, 1)
        } catch {
            Diagnostics.scriptError(error)
        }
    }

    /// The startup file: run in the session (its locals persist); an error
    /// is reported and the REPL starts anyway.
    func runStartupFile(_ path: String) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        let L = lua.L
        let base = lua.top
        defer { lua.top = base }
        pushMethod("load_file")
        pushText(path)
        do { try lua.call(nargs: 2, nresults: 2) } catch {
            lunet_write_stderr("lunet: \(path): \(error.message)\n")
            return
        }
        guard lua_type(L, -2) == LUA_TFUNCTION else {
            lunet_write_stderr("lunet: \(string(at: -1) ?? "cannot load \(path)")\n")
            return
        }
        lunet_pop(L, 1)
        run(quiet: true, base: base)
    }

    // MARK: Completion

    func complete(line: String, word: String) -> [String] {
        let L = lua.L
        let base = lua.top
        defer { lua.top = base }
        pushMethod("complete")
        pushText(line)
        pushText(word)
        guard (try? lua.call(nargs: 3, nresults: 2)) != nil else { return [] }
        if lua_type(L, -2) == LUA_TTABLE { return arrayOfStrings(at: -2) }
        switch string(at: -1) {
        case "module": return moduleNames(prefix: word)
        case "path": return ReplFiles.paths(prefix: word)
        default: return []
        }
    }

    private func moduleNames(prefix: String) -> [String] {
        let base = lua.top
        defer { lua.top = base }
        // Raw reads only: a script may have replaced `package` with anything,
        // and indexing a non-table (or a metamethod) could raise across Swift.
        var path = ""
        if lua.getGlobal("package") == LUA_TTABLE {
            lua_pushstring(lua.L, "path")
            if lua_rawget(lua.L, -2) == LUA_TSTRING { path = string(at: -1) ?? "" }
        }
        var names = Set(Stdlib.moduleNames.filter { !$0.hasPrefix("lunet.doc.") && !$0.contains("._") })
        names.formUnion(ReplFiles.modules(searchPath: path, prefix: prefix))
        return names.filter { $0.hasPrefix(prefix) }.sorted()
    }
}
