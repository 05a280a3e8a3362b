import CLuaShim
import Foundation
import LunetBridge
import LunetRuntime

/// The interactive loop, read the way `lua.c` reads: try the line as
/// `return <line>` (an expression), else as a statement; a syntax error at
/// `<eof>` means the chunk is incomplete, so keep reading with ">> ".
final class ReplSession {
    let runtime: Runtime
    let editor: LineEditor
    let color: Bool
    private var printerRef: Int32 = LUA_NOREF

    init(runtime: Runtime, editor: LineEditor, color: Bool) {
        self.runtime = runtime
        self.editor = editor
        self.color = color
    }

    func loop() {
        print("Lunet \(LunetVersion.string) (Lua 5.4)  help: Ctrl-D exits, Ctrl-C cancels a running call")
        while let chunk = readChunk() {
            editor.remember(chunk)
            evaluate(chunk)
        }
        print()
        editor.save()
    }

    /// Read lines until they form a complete chunk (or input ends).
    private func readChunk() -> String? {
        guard var text = editor.readLine(prompt: "> ") else { return nil }
        while isIncomplete(text) {
            guard let more = editor.readLine(prompt: ">> ") else { return text }
            text += "\n" + more
        }
        return text
    }

    private func isIncomplete(_ text: String) -> Bool {
        let lua = runtime.lua
        let base = lua.top
        defer { lua.top = base }
        if (try? lua.load("return " + text, name: "=stdin")) != nil { return false }
        do {
            try lua.load(text, name: "=stdin")
            return false
        } catch {
            return error.kind == .syntax && error.message.hasSuffix("<eof>")
        }
    }

    /// Compile as an expression first, then as statements; run; print.
    func evaluate(_ text: String) {
        let lua = runtime.lua
        let base = lua.top
        defer { lua.top = base }
        let quiet = text.trimmingCharacters(in: .whitespaces).hasSuffix(";")
        do {
            do {
                try lua.load("return " + text, name: "=stdin")
            } catch {
                try lua.load(text, name: "=stdin")
            }
            lunet_catchsigint(lua.L)
            defer {
                lunet_releasesigint()
                lua.clearInterrupt()
            }
            let count = try runtime.scheduler.run(nargs: 0, waitForAll: false)
            for failure in runtime.scheduler.takeUnobservedFailures() { Diagnostics.taskError(failure) }
            if count > 0 {
                lua_pushvalue(lua.L, base + 1)
                lua.setGlobal("_")
                if !quiet { printResults(base: base, count: count) }
            }
        } catch {
            lunet_flush_stdout()
            Diagnostics.scriptError(error)
        }
    }

    /// Print results through lunet.inspect (compiled once, called protected).
    private func printResults(base: Int32, count: Int32) {
        let lua = runtime.lua
        let L = lua.L
        if printerRef == LUA_NOREF {
            let source = """
                local inspect = require "lunet.inspect"
                local color = ...
                return function(n, ...) print(inspect.values_with({ color = color }, n, ...)) end
                """
            do {
                try lua.load(source, name: "=repl printer")
                lua_pushboolean(L, color ? 1 : 0)
                try lua.call(nargs: 1, nresults: 1)
                printerRef = luaL_ref(L, lunet_registryindex())
            } catch {
                Diagnostics.error("cannot load the result printer: \(error.message)")
                return
            }
        }
        lua_rawgeti(L, lunet_registryindex(), lua_Integer(printerRef))
        lua_pushinteger(L, lua_Integer(count))
        for i in 1...count { lua_pushvalue(L, base + i) }
        do { try lua.call(nargs: count + 1, nresults: 0) } catch { Diagnostics.scriptError(error) }
    }
}
