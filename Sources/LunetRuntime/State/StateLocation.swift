import Foundation

/// Where the state store lives: `--state`, else `LUNET_STATE`, else
/// `state = "…"` in the config file, else `$XDG_STATE_HOME/lunet/state.db`.
/// A location is a file path, `sqlite:PATH`, or a `postgres://` URL
/// (PostgresStateStore).
public enum StateLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    /// Parse `text`; `source` names where it came from for messages
    /// ("LUNET_STATE", "--state", "config.lua: state").
    public static func parse(_ text: String, source: String, paths: XDGPaths) throws(ConfigError) -> StateLocation {
        if text.isEmpty { throw ConfigError("\(source): empty state location") }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            return .postgres(url: text)
        }
        var path = text
        if path.hasPrefix("sqlite://") {
            path.removeFirst("sqlite://".count)
        } else if path.hasPrefix("sqlite:") {
            path.removeFirst("sqlite:".count)
        } else if let scheme = path.range(of: "://"), !path[..<scheme.lowerBound].contains("/") {
            throw ConfigError(
                "\(source): unsupported state location '\(redacted(text))' (use a file path, sqlite:PATH or postgres://…)")
        }
        if path.isEmpty { throw ConfigError("\(source): sqlite: needs a file path") }
        return .sqlite(path: paths.expandingTilde(path))
    }

    /// The location chosen by the rules above. `configured` is the config
    /// file's `state` value with the place it came from.
    public static func resolve(
        override: String? = nil, environment: [String: String], configured: (value: String, source: String)? = nil
    ) throws(ConfigError) -> StateLocation {
        let paths = XDGPaths(environment: environment)
        if let override { return try parse(override, source: "--state", paths: paths) }
        if let text = environment["LUNET_STATE"], !text.isEmpty {
            return try parse(text, source: "LUNET_STATE", paths: paths)
        }
        if let configured { return try parse(configured.value, source: configured.source, paths: paths) }
        return .sqlite(path: paths.lunetState + "/state.db")
    }

    /// Open the store. Opening a SQLite file creates it (and its folder);
    /// a PostgreSQL store checks its URL now and connects on first use.
    public func open() throws -> any StateStore {
        switch self {
        case .sqlite(let path):
            return try SQLiteStateStore(path: path)
        case .postgres(let url):
            return try PostgresStateStore(url: url)
        }
    }

    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let url): Self.redacted(url)
        }
    }

    /// The URL with any password replaced: "postgres://u:••••@host/db". The
    /// last '@' before the path ends the password (an unescaped '@' in it
    /// must not leak the rest).
    static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let authority = url[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" }
        guard let at = authority.lastIndex(of: "@"),
            let colon = url[scheme.upperBound..<at].firstIndex(of: ":")
        else { return url }
        return String(url[..<url.index(after: colon)]) + "••••" + String(url[at...])
    }
}
