import Logging

/// How to start a sandbox. The defaults give what tests want: a free port,
/// data in memory, no faults, every registered module, no log output.
public struct SandboxOptions: Sendable {
    /// 0 lets the OS choose a free port (read it from `SandboxServer.port`).
    public var port: Int
    /// Keep emulator data in SQLite in this folder; nil keeps it in memory.
    public var dataDirectory: String?
    /// Data set loaded into every module before the server listens.
    public var seed: String?
    public var faults: FaultSpec
    /// Creates the modules, given the store they share.
    public var modules: @Sendable (any SandboxStore) -> [any SandboxModule]
    public var logger: Logger

    public init(
        port: Int = 0,
        dataDirectory: String? = nil,
        seed: String? = nil,
        faults: FaultSpec = .none,
        modules: @escaping @Sendable (any SandboxStore) -> [any SandboxModule] = SandboxModules.all(store:),
        logger: Logger = Logger(label: "lunet.sandbox", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.port = port
        self.dataDirectory = dataDirectory
        self.seed = seed
        self.faults = faults
        self.modules = modules
        self.logger = logger
    }
}
