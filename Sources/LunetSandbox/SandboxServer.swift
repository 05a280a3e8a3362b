import Hummingbird
import HummingbirdCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One loopback HTTP server for all sandbox modules, each under `/{prefix}`,
/// with the `/_sandbox/` control endpoints, fault injection and a request log.
///
///     let server = try await SandboxServer.start(SandboxOptions(faults: spec))
///     defer { Task { await server.stop() } }
///     … connect to server.baseURL + "/icl" …
public final class SandboxServer: Sendable {
    /// The port actually listened on (the OS's choice when the options said 0).
    public let port: Int
    /// The store the modules share (already namespaced per module by them).
    public let store: any SandboxStore

    private let control: SandboxControl
    private let serviceGroup: ServiceGroup
    private let serving: Task<Void, any Error>
    private let storeCloser: @Sendable () -> Void
    private let closed = NIOLockedValueBox(false)

    /// "http://127.0.0.1:PORT", without a trailing slash.
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    public var prefixes: [String] { control.prefixes }

    private init(
        port: Int, store: any SandboxStore, control: SandboxControl, serviceGroup: ServiceGroup,
        serving: Task<Void, any Error>, storeCloser: @escaping @Sendable () -> Void
    ) {
        self.port = port
        self.store = store
        self.control = control
        self.serviceGroup = serviceGroup
        self.serving = serving
        self.storeCloser = storeCloser
    }

    /// Starts serving and returns once the port is open. Throws
    /// `SandboxError` when the port is taken, a module prefix is unusable,
    /// the seed is unknown, or the data folder cannot be opened.
    public static func start(_ options: SandboxOptions = SandboxOptions()) async throws -> SandboxServer {
        let (store, storeKind, storeCloser) = try openStore(options.dataDirectory)
        do {
            let modules = options.modules(store)
            try checkPrefixes(modules.map(\.prefix))
            let control = SandboxControl(
                modules: modules, faults: FaultInjector(options.faults), log: RequestLog(), storeKind: storeKind)
            if let seed = options.seed { _ = try await control.seed(seed) }

            let (announcements, announce) = AsyncStream.makeStream(of: Result<Int, any Error>.self)
            let serviceGroup = makeServiceGroup(control, options, announce: announce)
            let serving = Task {
                do {
                    try await serviceGroup.run()
                    announce.finish()
                } catch {
                    announce.yield(.failure(error))
                    throw error
                }
            }
            var next = announcements.makeAsyncIterator()
            let announced = await next.next()
            guard case .success(let port)? = announced else {
                // Also reached when the caller is cancelled while the server starts.
                await serviceGroup.triggerGracefulShutdown()
                _ = await serving.result
                if case .failure(let error)? = announced { throw listenError(error, port: options.port) }
                throw SandboxError.cannotListen(port: options.port, reason: "stopped while starting")
            }
            return SandboxServer(
                port: port, store: store, control: control, serviceGroup: serviceGroup, serving: serving,
                storeCloser: storeCloser)
        } catch {
            storeCloser()
            throw error
        }
    }

    /// Stops accepting connections, lets running requests finish (at most
    /// 2 s, then they are cancelled), and releases the store. Calling it
    /// again does nothing.
    public func stop() async {
        await serviceGroup.triggerGracefulShutdown()
        _ = await serving.result
        let firstStop = closed.withLockedValue { closed in
            defer { closed = true }
            return !closed
        }
        if firstStop { storeCloser() }
    }

    /// Starts a server, calls `ready` once it listens, and serves until
    /// SIGINT or SIGTERM arrives (or `stop()` is called), then stops cleanly.
    /// For `lunet sandbox`. The signals are trapped before the server starts,
    /// so one sent as soon as `ready` has announced the port is not fatal.
    public static func run(
        _ options: SandboxOptions, ready: @Sendable (SandboxServer) -> Void = { _ in }
    ) async throws {
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        let server = try await start(options)
        ready(server)
        try await server.serve(until: signals)
    }

    private func serve(until signals: UnixSignalsSequence) async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in signals { return }
            }
            group.addTask { _ = await self.serving.result }
            await group.next()
            await self.stop()
            group.cancelAll()
        }
        if case .failure(let error) = await serving.result { throw error }
    }

    // MARK: In-process control (the same as the /_sandbox/ endpoints)

    public var faults: FaultSpec { control.faults.spec }

    /// Replaces the active fault spec and starts its sequence from the first request.
    public func setFaults(_ spec: FaultSpec) {
        control.faults.replace(with: spec)
    }

    public func reset() async {
        await control.reset()
    }

    /// Loads data set `name` into the modules that have it; returns their prefixes.
    @discardableResult
    public func seed(_ name: String) async throws -> [String] {
        try await control.seed(name)
    }

    /// The request log, oldest first (at most the last 10,000).
    public func requests() -> [RequestLogEntry] {
        control.log.entries().entries
    }

    public func clearRequests() {
        control.log.clear()
    }

    // MARK: Assembly

    private static func makeRouter(_ control: SandboxControl) -> Router<SandboxContext> {
        let router = Router(context: SandboxContext.self)
        // The log sits outside the fault layer so it records what the client saw.
        router.add(middleware: RequestLogMiddleware(log: control.log))
        router.add(middleware: FaultMiddleware(injector: control.faults))
        ControlRoutes(control: control).register(on: router)
        for module in control.modules {
            module.register(on: router.group(RouterPath("/" + module.prefix)))
        }
        return router
    }

    private static func makeServiceGroup(
        _ control: SandboxControl, _ options: SandboxOptions,
        announce: AsyncStream<Result<Int, any Error>>.Continuation
    ) -> ServiceGroup {
        let application = Application(
            router: makeRouter(control),
            server: .http1(configuration: .init(additionalChannelHandlers: [ConnectionResetHandler()])),
            configuration: .init(address: .hostname("127.0.0.1", port: options.port), serverName: nil),
            onServerRunning: { channel in announce.yield(.success(channel.localAddress?.port ?? options.port)) },
            logger: options.logger)
        var configuration = ServiceGroupConfiguration(services: [application], logger: options.logger)
        // Requests still running after this are cancelled (their clients see
        // the connection close), so stop() is bounded.
        configuration.maximumGracefulShutdownDuration = .seconds(2)
        return ServiceGroup(configuration: configuration)
    }

    private static func openStore(
        _ directory: String?
    ) throws -> (store: any SandboxStore, kind: String, closer: @Sendable () -> Void) {
        guard let directory else { return (MemorySandboxStore(), "memory", {}) }
        do {
            let store = try SQLiteSandboxStore(directory: directory)
            return (store, "sqlite", { try? store.close() })
        } catch {
            throw SandboxError.cannotOpenStore(directory: directory, reason: String(describing: error))
        }
    }

    private static func checkPrefixes(_ prefixes: [String]) throws {
        var seen = Set<String>()
        for prefix in prefixes {
            if prefix.isEmpty { throw SandboxError.badPrefix(prefix, reason: "must not be empty") }
            if prefix.contains("/") { throw SandboxError.badPrefix(prefix, reason: "must be one path segment, without '/'") }
            if "/" + prefix == ControlRoutes.root { throw SandboxError.badPrefix(prefix, reason: "is reserved for control endpoints") }
            if !seen.insert(prefix).inserted { throw SandboxError.badPrefix(prefix, reason: "used by two modules") }
        }
    }

    private static func listenError(_ error: any Error, port: Int) -> any Error {
        if let error = error as? IOError {
            if error.errnoCode == EADDRINUSE { return SandboxError.portInUse(port) }
            return SandboxError.cannotListen(port: port, reason: error.description)
        }
        return error
    }
}
