import Foundation
import PackagePlugin

/// Compiles stdlib/**/*.lua into the target as Swift source (EmbeddedStdlib),
/// so the modules ship inside the binary.
@main
struct EmbedStdlib: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let stdlib = context.package.directoryURL.appending(path: "stdlib")
        // Inputs: every Lua file and every folder. A folder's timestamp
        // changes when a file is added or removed, which reruns the tool
        // (it walks the folder itself).
        var inputs: [URL] = [stdlib]
        if let walker = FileManager.default.enumerator(at: stdlib, includingPropertiesForKeys: [.isDirectoryKey]) {
            for case let url as URL in walker {
                let isDirectory = (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) ?? false
                if isDirectory || url.pathExtension == "lua" { inputs.append(url) }
            }
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedStdlib.swift")
        return [
            .buildCommand(
                displayName: "Embedding stdlib Lua modules",
                executable: try context.tool(named: "LunetEmbed").url,
                arguments: [output.path, stdlib.path],
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
