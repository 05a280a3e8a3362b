/// The modules `lunet sandbox` and `--sandbox` serve: one line per API
/// emulator, each given its own namespace of the shared store.
public enum SandboxModules {
    public static func all(store: any SandboxStore) -> [any SandboxModule] {
        [
            // ICLModule(store: store.namespaced("icl")),
        ]
    }
}
