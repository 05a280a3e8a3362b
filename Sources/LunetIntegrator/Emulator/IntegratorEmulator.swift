import Hummingbird
import LunetJSON
import LunetSandbox

/// integrator.io (Celigo) under `/integrator`: a client's base URL is
/// `<sandbox>/integrator/v1`. See docs/emulators/integrator.md.
public struct IntegratorEmulator: SandboxModule {
    public let prefix = "integrator"
    /// The API token the sandbox accepts; it never expires.
    public static let sandboxCredentials = IntegratorCredentials(token: "integrator-sandbox-token")

    let store: any SandboxStore
    let limiter = IntegratorRateLimiter()

    /// `store` should already be namespaced for this module.
    public init(store: any SandboxStore) {
        self.store = store
    }

    public func register(on group: RouterGroup<SandboxContext>) {
        registerControl(on: group)
        let v1 = group.group("v1")
        v1.add(middleware: IntegratorGate(store: store, limiter: limiter))
        v1.get("tokenInfo") { _, _ in
            SandboxJSON.response(["_userId": .string(IntegratorDemo.userID), "scope": "*"])
        }
        registerConnections(on: v1)
        registerConnectionChecks(on: v1)
        registerExports(on: v1)
        registerImports(on: v1)
        registerFlows(on: v1)
        registerState(on: v1)
    }

    public func reset() async {
        try? await store.removeAll()
        limiter.reset()
    }

    /// "demo" replaces everything with the demo data set.
    public func seed(_ name: String) async throws {
        guard name == "demo" else { throw UnknownSeed(name) }
        try await store.write { tx in
            try tx.removeAll(collectionPrefix: "")
            try IntegratorDemo.load(tx)
        }
        limiter.reset()
    }
}
