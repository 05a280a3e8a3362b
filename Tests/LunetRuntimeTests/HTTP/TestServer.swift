import Foundation
import Hummingbird
import Logging
import LunetSandbox
import LunetTestSupport
import NIOCore

/// A bare Hummingbird application with only the test API mounted (the full
/// sandbox host is built elsewhere), listening on 127.0.0.1 on a free port
/// (or on `port`).
final class TestServer: Sendable {
    let port: Int
    let api: TestAPI
    private let task: Task<Void, Error>

    private init(port: Int, api: TestAPI, task: Task<Void, Error>) {
        self.port = port
        self.api = api
        self.task = task
    }

    var base: String { "http://127.0.0.1:\(port)" }
    func url(_ path: String) -> URL { URL(string: base + path)! }
    var state: TestAPIState { api.state }

    /// Mount a module the way the sandbox host does: its routes under /prefix.
    static func mount(_ module: some SandboxModule, on router: Router<SandboxContext>) {
        module.register(on: router.group(RouterPath(module.prefix)))
    }

    static func start(_ api: TestAPI = TestAPI(), port: Int = 0) async throws -> TestServer {
        let router = Router(context: SandboxContext.self)
        mount(api, on: router)
        var logger = Logger(label: "test-server")
        logger.logLevel = .critical
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            }, logger: logger)
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next(), bound != 0 else {
            task.cancel()
            throw CancellationError()
        }
        return TestServer(port: bound, api: api, task: task)
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

/// Run `body` with a fresh test API server, stopped afterwards.
func withTestServer<T>(_ api: TestAPI = TestAPI(), _ body: (TestServer) async throws -> T) async throws -> T {
    try await withStopping(try await TestServer.start(api), stop: { await $0.stop() }, body)
}
