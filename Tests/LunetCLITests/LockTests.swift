import Foundation
import LunetTestSupport
import Testing

/// `lunet run --lock NAME` against each store: a second run exits with 3
/// and one line naming the holder; the lock is free again after the holder
/// exits normally, fails, is interrupted, or is killed with SIGKILL; of
/// several runs started together exactly one runs.
@Suite("lunet run --lock")
struct LockTests {
    let dir: URL

    init() throws { dir = try LunetProcess.temporaryDirectory() }

    func environment(_ location: String) -> [String: String] {
        [
            "HOME": dir.path, "XDG_STATE_HOME": dir.path + "/state", "XDG_CONFIG_HOME": dir.path + "/config",
            "LUNET_CONFIG": "", "LUNET_STATE": location, "NO_COLOR": "1",
        ]
    }

    /// A holder script: marks `ready`, then waits (task.sleep, so SIGINT
    /// interrupts it) until `release` exists.
    func holderScript() throws -> String {
        try dir.write(
            """
            local task = require "lunet.task"
            local f = assert(io.open(arg[1], "w")); f:write("ready"); f:close()
            while not io.open(arg[2]) do task.sleep(0.05) end
            print("holder done")
            """, to: "holder.lua")
        return dir.path + "/holder.lua"
    }

    func startHolder(_ location: String, lock: String = "nightly") async throws -> (Spawned, release: String) {
        let ready = dir.path + "/ready-\(UUID().uuidString)", release = dir.path + "/release-\(UUID().uuidString)"
        let holder = try Spawned.start(["run", "--lock", lock, try holderScript(), ready, release], environment(location))
        do {
            try await waitFor(ready, from: holder)
        } catch {
            holder.stop()
            throw error
        }
        return (holder, release)
    }

    func waitFor(_ file: String, from process: Spawned) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !FileManager.default.fileExists(atPath: file) {
            if let done = process.finished {
                Issue.record("the holder exited (\(done.status)) before it was ready: \(done.stderr)")
                throw CancellationError()
            }
            guard ContinuousClock.now < deadline else { throw Spawned.Failure("no \(file) after 60 s") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func run(_ location: String, _ arguments: [String]) async throws -> LunetProcess.Result {
        try await LunetProcess.run(arguments, environment: environment(location))
    }

    @Test(arguments: StoreKind.allCases) func aSecondRunExitsWithThreeNamingTheHolder(_ kind: StoreKind) async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let location = try await kind.freshLocation(in: dir)
        let before = Date().addingTimeInterval(-2)
        let (holder, release) = try await startHolder(location)
        defer { holder.stop() }  // when a check below ends the test early
        let second = try await run(location, ["run", "--lock", "nightly", "-e", "print('second ran')"])
        #expect(second.status == 3)
        #expect(second.stdout.isEmpty)
        let lines = second.stderr.split(separator: "\n")
        #expect(lines.count == 1, "one line: \(second.stderr)")
        let prefix = "lunet: lock 'nightly' is held by pid \(holder.pid) on \(ProcessInfo.processInfo.hostName) since "
        #expect(second.stderr.hasPrefix(prefix), "\(second.stderr)")
        #expect(second.stderr.hasSuffix("(state store \(StoreKind.shown(location))); not starting\n"))
        if kind == .postgres { #expect(!second.stderr.contains(try #require(URLComponents(string: location)?.password))) }
        let since = String(second.stderr.dropFirst(prefix.count).prefix(24))
        let when = try #require(ISO8601DateFormatter.withFractionalSeconds.date(from: since), "\(since)")
        #expect(when >= before && when <= Date())
        // Another name is not blocked.
        #expect(try await run(location, ["run", "--lock", "other", "-e", "print('other ran')"]).stdout == "other ran\n")
        _ = FileManager.default.createFile(atPath: release, contents: nil)
        let done = await holder.wait()
        #expect(done.status == 0 && done.stdout == "holder done\n", "\(done.stderr)")
        let third = try await run(location, ["run", "--lock", "nightly", "-e", "print('third ran')"])
        #expect(third.status == 0 && third.stdout == "third ran\n", "\(third.stderr)")
    }

    @Test(arguments: StoreKind.allCases) func releasedWhenTheHolderFails(_ kind: StoreKind) async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let location = try await kind.freshLocation(in: dir)
        let failed = try await run(location, ["run", "--lock", "nightly", "-e", "error('boom')"])
        #expect(failed.status == 1 && failed.stderr.contains("boom"))
        let next = try await run(location, ["run", "--lock", "nightly", "-e", "print('ran')"])
        #expect(next.status == 0 && next.stdout == "ran\n", "\(next.stderr)")
    }

    @Test(arguments: StoreKind.allCases) func releasedWhenTheHolderIsInterrupted(_ kind: StoreKind) async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let location = try await kind.freshLocation(in: dir)
        let (holder, _) = try await startHolder(location)
        defer { holder.stop() }
        kill(holder.pid, SIGINT)
        let done = await holder.wait()
        #expect(done.status == 130, "\(done.stderr)")
        let next = try await run(location, ["run", "--lock", "nightly", "-e", "print('ran')"])
        #expect(next.status == 0 && next.stdout == "ran\n", "\(next.stderr)")
    }

    /// SIGKILL gives the holder no chance to clean up: the kernel drops the
    /// flock, and the server ends the session when the connection drops.
    /// The holder has a child (`sleep`) that outlives it, which must not
    /// inherit the lock's file or connection.
    @Test(arguments: StoreKind.allCases) func releasedWhenTheHolderIsKilled(_ kind: StoreKind) async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let location = try await kind.freshLocation(in: dir)
        let ready = dir.path + "/ready"
        let holder = try Spawned.start(
            [
                "run", "--lock", "nightly", "-e",
                "local f = io.open(arg[1], 'w'); f:write('x'); f:close(); while true do os.execute('sleep 5') end",
                ready,
            ], environment(location))
        defer { holder.stop() }
        try await waitFor(ready, from: holder)
        try await Task.sleep(for: .milliseconds(200))  // the child is running
        kill(holder.pid, SIGKILL)
        let done = await holder.wait()
        #expect(done.status == 128 + SIGKILL)
        // The server notices a dropped connection within moments; allow it
        // two seconds (SQLite's flock is free at once).
        let deadline = ContinuousClock.now + .seconds(kind == .sqlite ? 0 : 2)
        var next = try await run(location, ["run", "--lock", "nightly", "-e", "print('ran')"])
        while next.status == 3 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            next = try await run(location, ["run", "--lock", "nightly", "-e", "print('ran')"])
        }
        #expect(next.status == 0 && next.stdout == "ran\n", "\(next.stderr)")
    }

    /// Four runs started together: exactly one gets the lock; the others
    /// exit with 3 while it still holds it.
    @Test(arguments: StoreKind.allCases) func ofRunsStartedTogetherExactlyOneRuns(_ kind: StoreKind) async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let location = try await kind.freshLocation(in: dir)
        let script = try holderScript()
        let release = dir.path + "/release-race"
        let runs = try (0..<4).map { i in
            try Spawned.start(["run", "--lock", "race", script, dir.path + "/ready-\(i)", release], environment(location))
        }
        defer { for run in runs { run.stop() } }
        // Wait until three have finished (the losers), or give up after 60 s.
        let deadline = ContinuousClock.now + .seconds(60)
        while runs.filter({ $0.finished != nil }).count < 3 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        _ = FileManager.default.createFile(atPath: release, contents: nil)
        var statuses: [Int32] = []
        for run in runs { statuses.append(await run.wait().status) }
        #expect(statuses.sorted() == [0, 3, 3, 3], "\(statuses)")
    }

    @Test func badLockNamesAreUsageErrors() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = try await run(dir.path + "/s.db", ["run", "--lock", "", "-e", "print(1)"])
        #expect(empty.status == 2 && empty.stderr.contains("--lock needs a name"))
        let long = try await run(dir.path + "/s.db", ["run", "--lock", String(repeating: "x", count: 201), "-e", "print(1)"])
        #expect(long.status == 2 && long.stderr.contains("at most 200 allowed"))
    }
}

extension ISO8601DateFormatter {
    nonisolated(unsafe) static let withFractionalSeconds: ISO8601DateFormatter = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }()
}

/// A lunet process running in the background (posix_spawn; output to
/// files, so a child left behind by SIGKILL cannot hold a pipe open),
/// reaped by a thread of its own.
final class Spawned: @unchecked Sendable {
    struct Done: Sendable {
        var status: Int32  // exit code, or 128 + signal
        var stdout: String
        var stderr: String
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    let pid: pid_t
    private let lock = NSLock()
    private var done: Done?
    private var waiters: [CheckedContinuation<Done, Never>] = []

    var finished: Done? { lock.withLock { done } }

    /// Kills the process if it has not ended: a test that stops early (a
    /// failed `#require`, a timeout) must not leave it running.
    func stop() {
        lock.withLock { if done == nil { kill(pid, SIGKILL) } }
    }

    private init(pid: pid_t) { self.pid = pid }

    static func start(_ arguments: [String], _ environment: [String: String]) throws -> Spawned {
        let base = FileManager.default.temporaryDirectory.appending(path: "lunet-spawn-\(UUID().uuidString)").path
        let outPath = base + ".out", errPath = base + ".err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        var cArgs = ([LunetProcess.binary] + arguments).map { strdup($0) } + [nil]
        var cEnv = env.map { strdup("\($0)=\($1)") } + [nil]
        defer {
            for p in cArgs { free(p) }
            for p in cEnv { free(p) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, LunetProcess.binary, &actions, nil, &cArgs, &cEnv)
        guard status == 0 else { throw Failure("cannot start lunet: \(String(cString: strerror(status)))") }
        let spawned = Spawned(pid: pid)
        let child = pid
        Thread.detachNewThread {
            var raw: Int32 = 0
            while waitpid(child, &raw, 0) < 0 && errno == EINTR {}
            let code = raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
            let result = Done(
                status: code,
                stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
            unlink(outPath)
            unlink(errPath)
            let waiting = spawned.lock.withLock {
                spawned.done = result
                defer { spawned.waiters = [] }
                return spawned.waiters
            }
            for waiter in waiting { waiter.resume(returning: result) }
        }
        return spawned
    }

    func wait() async -> Done {
        await withCheckedContinuation { continuation in
            let ready: Done? = lock.withLock {
                if let done { return done }
                waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
