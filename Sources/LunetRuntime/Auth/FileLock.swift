import Foundation

/// An exclusive `flock(2)` on a lock file, held across awaits.
///
/// flock locks belong to an open file description, so two `FileLock`s on
/// the same path exclude each other even within one process (each opens
/// its own), and the kernel releases a lock when its holder dies: a crashed
/// run never leaves the credential store locked.
final class FileLock: @unchecked Sendable {
    let path: String
    private var fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { release() }

    /// Wait for the lock, polling (a blocking flock would hold a thread of
    /// Swift's small cooperative pool).
    static func acquire(_ path: String, timeout: Duration) async throws -> FileLock {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CredentialStoreError("cannot open \(path): \(String(cString: strerror(errno)))") }
        let lock = FileLock(path: path, fd: fd)
        let start = ContinuousClock.now
        var pause = Duration.milliseconds(2)
        while true {
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { return lock }
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw CredentialStoreError("cannot lock \(path): \(String(cString: strerror(errno)))")
            }
            guard ContinuousClock.now - start < timeout else {
                throw CredentialStoreError("\(path) is locked by another process (waited \(timeout))")
            }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(50))
        }
    }

    func release() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }
}
