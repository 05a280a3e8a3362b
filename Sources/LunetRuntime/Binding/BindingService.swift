import Foundation
import LunetBridge

/// What every API connection of a run shares: the HTTP engine (one
/// connection pool, one retry budget, one statistics record), whether
/// exchanges are traced, where credentials live, and — with --sandbox —
/// the sandbox every connection is pointed at.
public final class BindingService {
    public let stats = RunStats()
    public let environment: [String: String]
    /// `--trace`: log each exchange to stderr, secrets redacted.
    public var trace = false
    /// `--sandbox`: the in-process sandbox's base URL.
    public var sandboxURL: String?
    private var built: HTTPEngine?

    init(environment: [String: String]) { self.environment = environment }

    /// Built on first use, after the session has set `trace`.
    public var engine: HTTPEngine {
        if let built { return built }
        let engine = HTTPEngine(stats: stats, trace: trace ? TraceLog() : nil)
        built = engine
        return engine
    }

    /// Set by the runtime: the state store when it is shared (PostgreSQL),
    /// whose lock then serializes credential refreshes across machines.
    var sharedStateStore: (() -> (any StateStore)?)?

    public lazy var credentials: CredentialStore = {
        let path = CredentialStore.defaultPath(environment: environment)
        guard let store = sharedStateStore?() else { return CredentialStore(path: path) }
        return CredentialStore(path: path, sharedLock: { timeout in
            try await store.lock(CredentialStore.sharedLockName, timeout: timeout)
        })
    }()
}

extension LuaState {
    public var bindings: BindingService? { extension_(BindingService.self) }
}

extension Runtime {
    public var bindings: BindingService { lua.bindings! }
}
