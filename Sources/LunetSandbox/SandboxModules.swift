/// The modules the sandbox host itself provides. The four API emulators
/// live in their API modules (which depend on this one), so the full list
/// is composed by the `lunet` command (Sources/LunetCLI/APIs.swift).
public enum SandboxModules {
    public static func all(store: any SandboxStore) -> [any SandboxModule] {
        [TestAPI()]
    }
}
