import Foundation

/// The XDG base directories, read from an environment dictionary (the
/// runtime's, not necessarily the process's) so tests can point them at
/// temporary folders.
public struct XDGPaths: Sendable {
    public let environment: [String: String]

    public init(environment: [String: String]) { self.environment = environment }

    public var home: String { nonEmpty("HOME") ?? NSHomeDirectory() }
    public var configHome: String { nonEmpty("XDG_CONFIG_HOME") ?? home + "/.config" }
    public var stateHome: String { nonEmpty("XDG_STATE_HOME") ?? home + "/.local/state" }
    public var dataHome: String { nonEmpty("XDG_DATA_HOME") ?? home + "/.local/share" }

    /// `$XDG_STATE_HOME/lunet`, where state.db and secrets.json live.
    public var lunetState: String { stateHome + "/lunet" }
    public var lunetConfig: String { configHome + "/lunet" }

    /// "~/x" → "$HOME/x"; other paths unchanged.
    public func expandingTilde(_ path: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + path.dropFirst() }
        return path
    }

    private func nonEmpty(_ name: String) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }
}
