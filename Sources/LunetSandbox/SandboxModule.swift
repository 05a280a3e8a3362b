import Hummingbird

/// The request context every sandbox route uses.
public typealias SandboxContext = BasicRequestContext

/// One API emulator (or the test API) mounted in the sandbox under its own
/// path prefix. The four API emulators and the test API all plug in this way,
/// so the host knows nothing about any particular API.
public protocol SandboxModule: Sendable {
    /// Path prefix without slashes, e.g. "icl": routes live under /icl/…
    var prefix: String { get }
    /// Add the module's routes to `group` (already scoped to the prefix).
    func register(on group: RouterGroup<SandboxContext>)
    /// Forget all data (control endpoint `POST /_sandbox/reset`).
    func reset() async
    /// Load a named data set, e.g. "demo" (`POST /_sandbox/seed/{name}`).
    func seed(_ name: String) async throws
}
