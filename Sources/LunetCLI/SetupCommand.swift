import ArgumentParser
import CLuaShim
import Foundation
import LunetBridge
import LunetRuntime

/// `lunet setup`: LuaLS annotation files for every documented lunet.*
/// module, generated from the same doc source as the REPL's help()
/// (stdlib/lunet/doc/*.lua), and a `.luarc.json` pointing at them.
struct SetupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup",
        abstract: "Write LuaLS annotations for the lunet.* modules and a .luarc.json, for editor completion and type checks.",
        discussion: """
            The annotations go to --dir (default $XDG_DATA_HOME/lunet/luals) and are replaced on every run. \
            The .luarc.json of the project folder (default: the current folder) gets workspace.library, \
            runtime.version "Lua 5.4" and the REPL globals in diagnostics.globals; keys already there are kept.
            """
    )

    @Option(help: ArgumentHelp("Folder for the annotation files.", valueName: "DIR"))
    var dir: String?

    @Option(help: ArgumentHelp("Project folder whose .luarc.json is written (default: the current folder).", valueName: "DIR"))
    var project: String?

    @Flag(name: .customLong("no-luarc"), help: "Only write the annotations.")
    var noLuarc = false

    func run() throws {
        let env = ProcessInfo.processInfo.environment
        let target = URL(fileURLWithPath: dir ?? XDGPaths(environment: env).dataHome + "/lunet/luals").standardizedFileURL
        let generated: Annotations
        do {
            generated = try Self.generate()
        } catch {
            Diagnostics.error("cannot generate the annotations: \(error)")
            throw ExitCode(ExitStatus.scriptError)
        }
        for problem in generated.problems { Diagnostics.error("doc source: \(problem)") }
        do {
            try Self.write(generated.files, to: target)
        } catch {
            Diagnostics.error("cannot write the annotations to \(target.path): \(error.localizedDescription)")
            throw ExitCode(ExitStatus.scriptError)
        }
        print("wrote \(generated.files.count) annotation files to \(target.path)")
        guard !noLuarc else { return }
        let luarc = URL(fileURLWithPath: project ?? FileManager.default.currentDirectoryPath).appending(path: ".luarc.json")
        do {
            let created = try Self.mergeLuarc(at: luarc, library: target.path, globals: generated.globals)
            print("\(created ? "wrote" : "updated") \(luarc.path)")
        } catch {
            Diagnostics.error(error.message)
            throw ExitCode(ExitStatus.usage)
        }
    }

    struct Annotations {
        var files: [(path: String, text: String)] = []
        var globals: [String] = []
        var problems: [String] = []
    }

    struct SetupError: Error { var message: String }

    /// Run lunet.help's generator in a fresh runtime.
    static func generate() throws -> Annotations {
        let runtime = Runtime()
        StdlibIndex.install(in: runtime)
        let lua = runtime.lua
        let L = lua.L
        try lua.load("""
            local help = require "lunet.help"
            return help.annotations(), help.global_names(), help.index().problems
            """, name: "=setup")
        try lua.call(nargs: 0, nresults: 3)
        var out = Annotations()
        func strings(_ index: Int32) -> [String] {
            var list: [String] = []
            let n = lua_rawlen(L, index)
            if n > 0 {
                for i in 1...n {
                    lua_rawgeti(L, index, lua_Integer(i))
                    if let p = lua_tolstring(L, -1, nil) { list.append(String(cString: p)) }
                    lunet_pop(L, 1)
                }
            }
            return list
        }
        let top = lua_gettop(L)
        out.problems = strings(top)
        out.globals = strings(top - 1)
        let files = top - 2
        let n = lua_rawlen(L, files)
        if n > 0 {
            for i in 1...n {
                lua_rawgeti(L, files, lua_Integer(i))
                lua_getfield(L, -1, "path")
                lua_getfield(L, -2, "text")
                var length = 0
                let text = lua_tolstring(L, -1, &length).map {
                    String(decoding: UnsafeRawBufferPointer(start: $0, count: length), as: UTF8.self)
                } ?? ""
                let path = lua_tolstring(L, -2, nil).map { String(cString: $0) } ?? ""
                out.files.append((path, text))
                lunet_pop(L, 3)
            }
        }
        lua_settop(L, 0)
        return out
    }

    /// Replace the folder's annotation files (each written to a temporary
    /// file and renamed, so an editor never reads half a file).
    static func write(_ files: [(path: String, text: String)], to folder: URL) throws {
        let fm = FileManager.default
        for file in files {
            guard !file.path.contains(".."), !file.path.hasPrefix("/") else { continue }
            let url = folder.appending(path: file.path)
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.text.utf8).write(to: url, options: .atomic)
        }
    }

    /// Merge lunet's keys into .luarc.json, keeping everything already there.
    /// Returns true when the file was created. A file that is not a JSON
    /// object is left alone and reported.
    static func mergeLuarc(at url: URL, library: String, globals: [String]) throws(SetupError) -> Bool {
        var root: [String: Any] = [:]
        let exists = FileManager.default.fileExists(atPath: url.path)
        if exists {
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw SetupError(message: "cannot read \(url.path)")
            }
            guard let object = try? JSONSerialization.jsonObject(with: data), let dictionary = object as? [String: Any] else {
                throw SetupError(message: "\(url.path) is not a JSON object; left unchanged (fix or remove it and run lunet setup again)")
            }
            root = dictionary
        }
        // LuaLS accepts nested ("workspace": {"library": …}) and dotted keys;
        // a dotted key already in the file is updated in place.
        func update(_ section: String, _ key: String, _ change: (Any?) -> Any) {
            let dotted = section + "." + key
            if root[dotted] != nil {
                root[dotted] = change(root[dotted])
                return
            }
            var nested = root[section] as? [String: Any] ?? [:]
            nested[key] = change(nested[key])
            root[section] = nested
        }
        update("workspace", "library") { old in
            var list = old as? [String] ?? []
            if !list.contains(library) { list.append(library) }
            return list
        }
        update("runtime", "version") { old in old ?? "Lua 5.4" }
        update("diagnostics", "globals") { old in
            var list = old as? [String] ?? []
            for g in globals where !list.contains(g) { list.append(g) }
            return list
        }
        do {
            let data = try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            try (data + Data("\n".utf8)).write(to: url, options: .atomic)
        } catch {
            throw SetupError(message: "cannot write \(url.path): \(error.localizedDescription)")
        }
        return !exists
    }
}
