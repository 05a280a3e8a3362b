import Foundation
import PackagePlugin

/// Compiles stdlib/**/*.lua into the target as Swift source (EmbeddedStdlib),
/// so the modules ship inside the binary.
@main
struct EmbedStdlib: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let stdlib = context.package.directoryURL.appending(path: "stdlib")
        var files: [URL] = []
        if let walker = FileManager.default.enumerator(at: stdlib, includingPropertiesForKeys: nil) {
            for case let url as URL in walker where url.pathExtension == "lua" { files.append(url) }
        }
        files.sort { $0.path < $1.path }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedStdlib.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) stdlib Lua modules",
                executable: try context.tool(named: "LunetEmbed").url,
                arguments: [output.path, stdlib.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]
            )
        ]
    }
}
