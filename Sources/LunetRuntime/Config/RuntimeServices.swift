import LunetBridge

/// The services behind config, `lunet.state` and `lunet.log`, attached to
/// each runtime's Lua state from the runtime's environment dictionary
/// (not the process's: tests and embedders pass their own).
enum RuntimeServices {
    static func attach(to lua: LuaState, environment: [String: String]) {
        let config = ConfigService(environment: environment)
        lua.attach(config)
        let state = StateService(config: config)
        lua.attach(state)
        lua.attach(LogService(environment: environment))
        let bindings = BindingService(environment: environment)
        bindings.sharedStateStore = { [unowned state] in state.sharedStore() }
        lua.attach(bindings)
    }
}

extension Runtime {
    /// The run's configuration (config file, profile selection, options).
    public var config: ConfigService { lua.config! }
    /// The run's state store, opened on first use.
    public var state: StateService { lua.stateService! }
    /// The run's logger (`lunet.log` and Swift services).
    public var log: LogService { lua.logService! }

    /// Apply what `lunet run`, `repl` and `test` take from the command
    /// line, and load the config file now: a bad file or an unknown profile
    /// is then reported (exit code 2) before the script starts, not at its
    /// first connection.
    ///
    /// - logFormat: "text" or "json" (`--log-format`); nil keeps text.
    /// - script: the script's name for JSON log lines.
    public func configureServices(profile: String? = nil, logFormat: String? = nil, script: String? = nil)
        throws(ConfigError)
    {
        if let logFormat {
            guard let format = LogFormat(name: logFormat, color: LogService.colorAllowed(environment)) else {
                throw ConfigError("--log-format must be text or json, got '\(logFormat)'")
            }
            log.useFormat(format)
        }
        log.script = script
        config.profileFlag = profile
        let configuration = try config.configuration()
        if profile != nil || !(environment["LUNET_PROFILE"] ?? "").isEmpty {
            _ = try configuration.selectProfile()
        }
    }
}
