import Foundation

/// Named advisory locks as flock(2) on files in one folder: the kernel drops
/// them when the holder exits, even on a crash or SIGKILL, so a dead run
/// never leaves a lock behind. Used by the SQLite store; a PostgreSQL store
/// would use advisory locks instead.
struct FileLocks: Sendable {
    let directory: String

    func tryLock(_ name: String) throws -> (any StateLock)? {
        try lock(name, wait: false)
    }

    /// Wait for the lock (short critical sections only: secrets.json).
    func tryLockWaiting(_ name: String) throws -> (any StateLock)? {
        try lock(name, wait: true)
    }

    private func lock(_ name: String, wait: Bool) throws -> (any StateLock)? {
        guard !name.isEmpty else { throw StateError.invalidKey("lock name must not be empty") }
        do { try PrivateFiles.makeDirectory(directory) } catch {
            throw StateError.unavailable(location: directory, reason: "\(error)")
        }
        let path = directory + "/" + Self.fileName(for: name)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if fd < 0 {
            throw StateError.unavailable(location: path, reason: PrivateFiles.errnoText())
        }
        var status = flock(fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB)
        while status != 0 && errno == EINTR { status = flock(fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB) }
        if status != 0 {
            let busy = errno == EWOULDBLOCK
            let reason = PrivateFiles.errnoText()
            close(fd)
            if busy { return nil }
            throw StateError.unavailable(location: path, reason: reason)
        }
        // The holder's pid, for "lock held by pid N" messages.
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return FileLock(name: name, fd: fd)
    }

    /// The pid written by the current holder, if any.
    func holder(of name: String) -> Int32? {
        let path = directory + "/" + Self.fileName(for: name)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Any name maps to one safe file name: letters, digits, '.', '_' and
    /// '-' stay, everything else is %XX-encoded.
    static func fileName(for name: String) -> String {
        var out = ""
        for byte in name.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if byte < 0x80 && (c.isLetter || c.isNumber || c == "_" || c == "-" || (c == "." && !out.isEmpty)) {
                out.append(c)
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out + ".lock"
    }
}

final class FileLock: StateLock, @unchecked Sendable {
    let name: String
    private var fd: Int32
    private let guardLock = NSLock()

    init(name: String, fd: Int32) {
        self.name = name
        self.fd = fd
    }

    func release() {
        guardLock.lock()
        defer { guardLock.unlock() }
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }
}
