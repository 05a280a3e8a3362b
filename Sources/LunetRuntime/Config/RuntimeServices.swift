import LunetBridge

/// The services behind config, `lunet.state` and `lunet.log`, attached to
/// each runtime's Lua state from the runtime's environment dictionary
/// (not the process's: tests and embedders pass their own).
enum RuntimeServices {
    static func attach(to lua: LuaState, environment: [String: String]) {
        let config = ConfigService(environment: environment)
        lua.attach(config)
        lua.attach(StateService(config: config))
        lua.attach(LogService(environment: environment))
    }
}

extension Runtime {
    /// The run's configuration (config file, profile selection, options).
    public var config: ConfigService { lua.config! }
    /// The run's state store, opened on first use.
    public var state: StateService { lua.stateService! }
    /// The run's logger (`lunet.log` and Swift services).
    public var log: LogService { lua.logService! }
}
