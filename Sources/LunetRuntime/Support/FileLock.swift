import Foundation

/// An exclusive flock(2) on a lock file. flock locks belong to an open file
/// description, so two FileLocks on one path exclude each other even within
/// a process, and the kernel drops a lock when its holder exits — even on a
/// crash or SIGKILL — so a dead run never leaves a lock behind. Used for the
/// state store's named locks and the credential store's refresh lock.
final class FileLock: StateLock, @unchecked Sendable {
    let name: String
    let path: String
    private var fd: Int32
    private let guardLock = NSLock()

    private init(name: String, path: String, fd: Int32) {
        self.name = name
        self.path = path
        self.fd = fd
    }

    deinit { release() }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Take the lock now, or nil when another holder has it.
    static func tryAcquire(_ path: String, name: String? = nil, record: Bool = true) throws(Failure) -> FileLock? {
        try take(path, name: name, wait: false, record: record)
    }

    /// Wait for the lock, blocking this thread (short critical sections only).
    static func acquireBlocking(_ path: String, name: String? = nil) throws(Failure) -> FileLock {
        try take(path, name: name, wait: true)!
    }

    /// Wait for the lock without holding a thread (polling with backoff: a
    /// blocking flock would hold one of Swift's few cooperative threads).
    static func acquire(_ path: String, timeout: Duration) async throws -> FileLock {
        let start = ContinuousClock.now
        var pause = Duration.milliseconds(2)
        while true {
            if let lock = try tryAcquire(path) { return lock }
            guard ContinuousClock.now - start < timeout else {
                throw Failure(description: "\(path) is locked by another process (waited \(timeout))")
            }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(50))
        }
    }

    private static func take(_ path: String, name: String?, wait: Bool, record: Bool = true) throws(Failure) -> FileLock? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        let operation = wait ? LOCK_EX : LOCK_EX | LOCK_NB
        var status = flock(fd, operation)
        while status != 0 && errno == EINTR { status = flock(fd, operation) }
        if status != 0 {
            let busy = errno == EWOULDBLOCK
            let reason = String(cString: strerror(errno))
            close(fd)
            if busy { return nil }
            throw Failure(description: "cannot lock \(path): \(reason)")
        }
        // Who holds it (pid, host, since), for "lock held by …" messages.
        if record {
            let line = Array(LockHolder.current().line.utf8)
            _ = ftruncate(fd, 0)
            _ = line.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }
        return FileLock(name: name ?? path, path: path, fd: fd)
    }

    func release() {
        guardLock.lock()
        defer { guardLock.unlock() }
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }
}
