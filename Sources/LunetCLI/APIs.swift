import LunetCoreData
import LunetICL
import LunetIConect
import LunetIntegrator
import LunetRuntime
import LunetSandbox

/// The one place that lists the APIs: their Lua bindings and their sandbox
/// emulators. Adding an API is a line in each.
enum APIs {
    /// Register every API binding (`lunet.icl`, …) in a runtime.
    static func registerBindings(in runtime: Runtime) {
        ICLBinding.register(in: runtime)
        IConectBinding.register(in: runtime)
        CoreDataBinding.register(in: runtime)
        IntegratorBinding.register(in: runtime)
    }

    /// Every sandbox module: the host's own (the test API) and each API's emulator.
    @Sendable static func sandboxModules(store: any SandboxStore) -> [any SandboxModule] {
        SandboxModules.all(store: store) + [
            ICLEmulator(store: store.namespaced("icl")),
            IConectEmulator(store: store.namespaced("iconect")),
            CoreDataEmulator(store: store.namespaced("coredata")),
            IntegratorEmulator(store: store.namespaced("integrator")),
        ]
    }
}
