import LunetBridge
import LunetJSON

/// The configuration of one runtime, loaded on first use from the
/// runtime's environment. The CLI sets `profileFlag` from `--profile` (and
/// may call `configuration()` up front so a bad config file exits with 2
/// before the script starts); bindings call `resolve`.
public final class ConfigService {
    public let environment: [String: String]
    public var profileFlag: String? {
        didSet { loaded?.profileFlag = profileFlag }
    }
    /// Where `secret "…"` looks; the credential store may replace it.
    public var secrets: any SecretResolver
    private var loaded: Configuration?

    public init(environment: [String: String]) {
        self.environment = environment
        self.secrets = SecretsFile(environment: environment)
    }

    public func configuration() throws(ConfigError) -> Configuration {
        if let loaded { return loaded }
        let configuration = try Configuration.load(environment: environment, profileFlag: profileFlag, secrets: secrets)
        loaded = configuration
        return configuration
    }

    public func resolve(service: ServiceName, profile: String? = nil, explicit: [String: JSONValue] = [:])
        throws(ConfigError) -> ResolvedOptions
    {
        try configuration().resolve(service: service, profile: profile, explicit: explicit)
    }
}

extension LuaState {
    /// The configuration service the runtime attached.
    public var config: ConfigService? { extension_(ConfigService.self) }
}
