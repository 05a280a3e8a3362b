import LunetJSON

/// A config file as Swift values, checked against the service schemas.
public struct ConfigFile: Sendable, Equatable {
    /// The path as found ($LUNET_CONFIG or the XDG default).
    public var path: String
    public var profiles: [String: Profile]
    public var defaultProfile: ConfigEntry?
    public var state: ConfigEntry?

    public init(path: String, profiles: [String: Profile] = [:], defaultProfile: ConfigEntry? = nil, state: ConfigEntry? = nil) {
        self.path = path
        self.profiles = profiles
        self.defaultProfile = defaultProfile
        self.state = state
    }

    public var profileNames: [String] { profiles.keys.sorted() }
}

public struct Profile: Sendable, Equatable {
    public var name: String
    public var services: [ServiceName: [String: ConfigEntry]]

    public init(name: String, services: [ServiceName: [String: ConfigEntry]] = [:]) {
        self.name = name
        self.services = services
    }
}

/// One value of the config file, with the key path that names it.
///
/// A value from `env "X"` or `secret "X"` that could not be found is kept as
/// `unresolved` with the reason (and the file:line of the call), and only
/// becomes an error when the value is used: a cron job running profile
/// `prod` must not fail because profile `dev` names a variable that only
/// developers set.
public struct ConfigEntry: Sendable, Equatable {
    public enum Content: Sendable, Equatable {
        case value(JSONValue)
        case unresolved(String)
    }

    public var content: Content
    /// A secret option, or a value that came from `secret "…"`.
    public var isSecret: Bool
    /// "profiles.prod.icl.url"
    public var key: String

    public init(_ content: Content, isSecret: Bool = false, key: String) {
        self.content = content
        self.isSecret = isSecret
        self.key = key
    }

    public var value: JSONValue? {
        if case .value(let v) = content { return v }
        return nil
    }

    /// The value, or a ConfigError naming the file, the key and the reason.
    public func require(in file: String) throws(ConfigError) -> JSONValue {
        switch content {
        case .value(let v): return v
        case .unresolved(let reason): throw ConfigError("\(file): \(key): \(reason)")
        }
    }
}
