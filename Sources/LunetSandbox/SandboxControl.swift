import LunetJSON

/// What the control endpoints do, callable in-process too (`SandboxServer`
/// forwards to it), so tests in Swift need not go through HTTP.
final class SandboxControl: Sendable {
    let modules: [any SandboxModule]
    let faults: FaultInjector
    let log: RequestLog
    let storeKind: String

    init(modules: [any SandboxModule], faults: FaultInjector, log: RequestLog, storeKind: String) {
        self.modules = modules
        self.faults = faults
        self.log = log
        self.storeKind = storeKind
    }

    var prefixes: [String] { modules.map(\.prefix) }

    /// Every module forgets its data and the fault sequence starts again, so a
    /// test that begins with a reset sees the same faults on every run.
    func reset() async {
        for module in modules { await module.reset() }
        faults.restart()
    }

    /// Loads data set `name` into every module that has one by that name;
    /// returns their prefixes.
    func seed(_ name: String) async throws(SandboxError) -> [String] {
        var seeded: [String] = []
        for module in modules {
            do {
                try await module.seed(name)
                seeded.append(module.prefix)
            } catch is UnknownSeed {
                continue
            } catch {
                throw .seedFailed(name: name, prefix: module.prefix, reason: String(describing: error))
            }
        }
        if seeded.isEmpty { throw .unknownSeed(name) }
        return seeded
    }
}
