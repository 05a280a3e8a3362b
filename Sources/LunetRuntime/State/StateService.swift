import LunetBridge

/// The state store of one runtime, opened on first use: a script that never
/// touches `lunet.state` (or a checkpoint) never creates the file.
public final class StateService {
    private let config: ConfigService
    private var chosen: StateLocation?
    private var opened: (any StateStore)?

    public init(config: ConfigService) {
        self.config = config
    }

    /// Where the store is (or will be): as set by `use`, else `LUNET_STATE`,
    /// else the config file's `state`, else `$XDG_STATE_HOME/lunet/state.db`.
    public func location() throws(ConfigError) -> StateLocation {
        if let chosen { return chosen }
        // LUNET_STATE alone needs no config file: a broken config must not
        // stop a job that names its store explicitly.
        if let text = config.environment["LUNET_STATE"], !text.isEmpty {
            return try StateLocation.resolve(environment: config.environment)
        }
        return try config.configuration().stateLocation()
    }

    /// Point this runtime at another store (`--state`, or a test's
    /// `lunet.state.use(path)`); the next access opens it.
    public func use(_ location: StateLocation) {
        chosen = location
        opened = nil
    }

    public func store() throws -> any StateStore {
        if let opened { return opened }
        let store = try location().open()
        opened = store
        return store
    }

    /// The store when several machines share it (PostgreSQL), else nil:
    /// the credential refresh lock lives there then.
    func sharedStore() -> (any StateStore)? {
        guard case .postgres = try? location() else { return nil }
        return try? store()
    }

    var paths: XDGPaths { XDGPaths(environment: config.environment) }
}

extension LuaState {
    /// The state service the runtime attached.
    public var stateService: StateService? { extension_(StateService.self) }
}
