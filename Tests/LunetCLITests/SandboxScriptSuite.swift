import Foundation

/// A suite that runs scripts with `lunet run --sandbox` in a scratch
/// directory of its own: its own state store and no configuration, so
/// `--sandbox` decides where the APIs are. Each test removes the directory
/// (`defer { try? FileManager.default.removeItem(at: dir) }`).
protocol SandboxScriptSuite {
    var dir: URL { get }
    var environment: [String: String] { get }
}

extension SandboxScriptSuite {
    /// A new scratch directory and the environment pointing into it, plus `extra`.
    static func scratch(_ extra: [String: String] = [:]) throws -> (dir: URL, environment: [String: String]) {
        let dir = try LunetProcess.temporaryDirectory()
        let environment = [
            "XDG_STATE_HOME": dir.path + "/state", "XDG_CONFIG_HOME": dir.path + "/config",
            "LUNET_STATE": "", "LUNET_CONFIG": "",
        ].merging(extra) { $1 }
        return (dir, environment)
    }

    /// `lunet run --sandbox SCRIPT ARGS…`, from the repository's root.
    func run(_ script: String, _ args: [String] = []) async throws -> LunetProcess.Result {
        try await LunetProcess.run(
            ["run", "--sandbox", script] + args, environment: environment, directory: LunetProcess.root)
    }

    /// The lines of `text`, empty ones included.
    func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}
