import Hummingbird

/// The request context every sandbox route uses.
public typealias SandboxContext = BasicRequestContext

/// One API emulator (or the test API) mounted in the sandbox under its own
/// path prefix. The four API emulators and the test API all plug in this way,
/// so the host knows nothing about any particular API.
///
/// A module is created with the sandbox's store (see `SandboxModules.all`)
/// and keeps all its state there, namespaced by its prefix, so that
/// `--data DIR` makes it survive a restart. The host puts the fault layer and
/// the request log in front of its routes; the module just answers.
public protocol SandboxModule: Sendable {
    /// Path prefix without slashes, e.g. "icl": routes live under /icl/…
    var prefix: String { get }
    /// Add the module's routes to `group` (already scoped to the prefix).
    func register(on group: RouterGroup<SandboxContext>)
    /// Forget all data (control endpoint `POST /_sandbox/reset`).
    func reset() async
    /// Load a named data set, e.g. "demo" (`POST /_sandbox/seed/{name}`).
    /// Throw `UnknownSeed(name)` when the module has no data set by that name:
    /// the others are still seeded, and the request fails only if none has it.
    func seed(_ name: String) async throws
}
