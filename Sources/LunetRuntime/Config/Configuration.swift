import Foundation
import LunetJSON

/// The configuration a run uses: the config file (if any), the environment,
/// and the `--profile` flag; answers which profile is selected and what
/// options a connection gets.
public struct Configuration: Sendable {
    /// nil in environment mode (no config file).
    public let file: ConfigFile?
    /// Where the config file is or would be.
    public let path: String
    public let environment: [String: String]
    /// `--profile`, which beats `LUNET_PROFILE` and `default_profile`.
    public var profileFlag: String?

    public init(file: ConfigFile?, path: String, environment: [String: String], profileFlag: String? = nil) {
        self.file = file
        self.path = path
        self.environment = environment
        self.profileFlag = profileFlag
    }

    /// `$LUNET_CONFIG` if set, else `$XDG_CONFIG_HOME/lunet/config.lua`.
    public static func path(environment: [String: String]) -> (path: String, explicit: Bool) {
        if let path = environment["LUNET_CONFIG"], !path.isEmpty { return (path, true) }
        return (XDGPaths(environment: environment).lunetConfig + "/config.lua", false)
    }

    /// Load the config file. A missing default file means environment mode;
    /// a missing `$LUNET_CONFIG` file is an error.
    public static func load(
        environment: [String: String], profileFlag: String? = nil, secrets: (any SecretResolver)? = nil
    ) throws(ConfigError) -> Configuration {
        let (path, explicit) = path(environment: environment)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            if explicit { throw ConfigError("LUNET_CONFIG=\(path): no such file") }
            return Configuration(file: nil, path: path, environment: environment, profileFlag: profileFlag)
        }
        if isDirectory.boolValue { throw ConfigError("\(path): is a directory, not a config file") }
        let file = try ConfigLoader.load(
            path: path, environment: environment, secrets: secrets ?? SecretsFile(environment: environment))
        return Configuration(file: file, path: path, environment: environment, profileFlag: profileFlag)
    }

    public var profileNames: [String] { file?.profileNames ?? [] }

    // MARK: Profile selection

    public struct Selection: Sendable, Equatable {
        public enum Source: String, Sendable {
            case requested = "requested by the script"
            case flag = "--profile"
            case environment = "LUNET_PROFILE"
            case configDefault = "default_profile"
            case implicit = "the default name"
        }
        public var name: String
        public var source: Source
        /// nil only for the implicit `default` when no such profile exists.
        public var profile: Profile?
    }

    /// The profile to use: `requested` (a script's `connect("NAME")` or
    /// `profile = NAME`), else `--profile`, else `LUNET_PROFILE`, else
    /// `default_profile`, else `default`. A named profile that does not
    /// exist is an error listing the known ones; the implicit `default`
    /// may be absent (then only the environment and explicit options apply).
    public func selectProfile(_ requested: String? = nil) throws(ConfigError) -> Selection {
        let (name, source) = try selectedName(requested)
        if let profile = file?.profiles[name] { return Selection(name: name, source: source, profile: profile) }
        if source == .implicit { return Selection(name: name, source: source, profile: nil) }
        throw ConfigError(unknownProfileMessage(name, source: source))
    }

    private func selectedName(_ requested: String?) throws(ConfigError) -> (String, Selection.Source) {
        if let requested { return (requested, .requested) }
        if let flag = profileFlag, !flag.isEmpty { return (flag, .flag) }
        if let env = environment["LUNET_PROFILE"], !env.isEmpty { return (env, .environment) }
        if let file, let entry = file.defaultProfile {
            guard case .string(let name) = try entry.require(in: file.path) else {
                throw ConfigError("\(file.path): default_profile must be a string")
            }
            return (name, .configDefault)
        }
        return ("default", .implicit)
    }

    private func unknownProfileMessage(_ name: String, source: Selection.Source) -> String {
        guard let file else {
            return "unknown profile '\(name)' (from \(source.rawValue)): there is no config file (looked for \(path))"
        }
        let known = file.profileNames.isEmpty ? "none defined" : "known: " + file.profileNames.joined(separator: ", ")
        return "unknown profile '\(name)' (from \(source.rawValue)) in \(file.path); \(known)"
    }

    // MARK: Resolution

    /// The options a connection to `service` gets: each option from the
    /// explicit options if given there, else from the service's environment
    /// variables, else from the profile; each with its origin. Unknown
    /// explicit options and values of the wrong type are errors.
    public func resolve(
        service: ServiceName, profile requested: String? = nil, explicit: [String: JSONValue] = [:]
    ) throws(ConfigError) -> ResolvedOptions {
        let schema = service.schema
        let selection = try selectProfile(requested)
        let fromProfile = selection.profile?.services[service] ?? [:]
        let filePath = file?.path ?? path
        if let unknown = explicit.keys.sorted().first(where: { schema.option($0) == nil }) {
            throw ConfigError("\(service.rawValue): unknown option '\(unknown)' (known: \(schema.knownList))")
        }
        var resolved = ResolvedOptions(service: service, profile: selection.profile == nil ? nil : selection.name)
        for spec in schema.options {
            if let value = explicit[spec.name] {
                guard let accepted = spec.kind.accept(value) else {
                    throw ConfigError("\(service.rawValue): option '\(spec.name)' must be \(spec.kind.described)")
                }
                resolved.options[spec.name] = ResolvedOption(value: accepted, origin: .explicit, isSecret: spec.isSecret)
            } else if let found = environmentValue(for: spec) {
                let (variable, text) = found
                guard let accepted = spec.kind.accept(.string(text)) else {
                    throw ConfigError("\(variable): \(spec.kind.described) expected for \(service.rawValue).\(spec.name)")
                }
                resolved.options[spec.name] = ResolvedOption(
                    value: accepted, origin: .environment(variable), isSecret: spec.isSecret)
            } else if let entry = fromProfile[spec.name] {
                let value = try entry.require(in: filePath)
                resolved.options[spec.name] = ResolvedOption(
                    value: value, origin: .profile(name: selection.name, key: entry.key, file: filePath),
                    isSecret: entry.isSecret)
            }
        }
        return resolved
    }

    private func environmentValue(for spec: OptionSpec) -> (String, String)? {
        for variable in spec.environment {
            if let value = environment[variable], !value.isEmpty { return (variable, value) }
        }
        return nil
    }

    // MARK: State

    /// `--state`, else `LUNET_STATE`, else `state` in the config file, else
    /// the XDG default.
    public func stateLocation(override: String? = nil) throws(ConfigError) -> StateLocation {
        var configured: (String, String)? = nil
        if let file, let entry = file.state {
            guard case .string(let text) = try entry.require(in: file.path) else {
                throw ConfigError("\(file.path): state must be a string")
            }
            configured = (text, "\(file.path): state")
        }
        return try StateLocation.resolve(override: override, environment: environment, configured: configured)
    }
}

/// The merged options of one connection.
public struct ResolvedOptions: Sendable, Equatable {
    public let service: ServiceName
    /// The profile that contributed (nil when none was configured).
    public let profile: String?
    public var options: [String: ResolvedOption] = [:]

    public init(service: ServiceName, profile: String?) {
        self.service = service
        self.profile = profile
    }

    public subscript(name: String) -> ResolvedOption? { options[name] }
    public func string(_ name: String) -> String? { options[name]?.value.string }

    /// The http(s) URL option `name` (with a host); a `ConfigError` naming
    /// the service and option when it is missing (`required` says what to
    /// give, e.g. "the portal root, e.g. https://…; or ICL_URL") or malformed.
    public func httpURL(_ name: String, required: String) throws -> URL {
        guard let text = string(name) else {
            throw ConfigError("\(service.rawValue): option '\(name)' is required (\(required))")
        }
        guard let url = URL(string: text), url.scheme == "https" || url.scheme == "http", url.host?.isEmpty == false else {
            throw ConfigError("\(service.rawValue): option '\(name)' must be an http(s) URL, got '\(text)'")
        }
        return url
    }
}

public struct ResolvedOption: Sendable, Equatable {
    public var value: JSONValue
    public var origin: OptionOrigin
    public var isSecret: Bool

    public init(value: JSONValue, origin: OptionOrigin, isSecret: Bool) {
        self.value = value
        self.origin = origin
        self.isSecret = isSecret
    }
}

public enum OptionOrigin: Sendable, Equatable, CustomStringConvertible {
    case explicit
    case environment(String)
    case profile(name: String, key: String, file: String)

    public var description: String {
        switch self {
        case .explicit: "explicit option"
        case .environment(let variable): "environment \(variable)"
        case .profile(_, let key, let file): "\(file): \(key)"
        }
    }
}
