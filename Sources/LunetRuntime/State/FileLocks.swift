import Foundation

/// Named advisory locks as flock(2) on files in one folder: the kernel drops
/// them when the holder exits, even on a crash or SIGKILL, so a dead run
/// never leaves a lock behind. Used by the SQLite store; a PostgreSQL store
/// uses advisory locks instead (PostgresLocks).
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
        do {
            return wait ? try FileLock.acquireBlocking(path, name: name) : try FileLock.tryAcquire(path, name: name)
        } catch {
            throw StateError.unavailable(location: path, reason: error.description)
        }
    }

    /// Who holds the lock, as written by the holder; nil when nobody does
    /// (a file left by a holder that has exited is not a holder).
    func holder(of name: String) throws -> LockHolder? {
        let path = directory + "/" + Self.fileName(for: name)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        // Free (we could take it): no holder.
        if let probe = try? FileLock.tryAcquire(path, name: name, record: false) {
            probe.release()
            return nil
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return LockHolder(line: text)
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
