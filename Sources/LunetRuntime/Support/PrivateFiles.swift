import Foundation
import LunetJSON

/// Files holding state or secrets are private to the user: folders 0700,
/// files 0600, whatever the umask says.
enum PrivateFiles {
    /// Create `directory` (and missing parents) with mode 0700.
    static func makeDirectory(_ directory: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            if isDirectory.boolValue { return }
            throw PrivateFileError("\(directory) exists and is not a directory")
        }
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw PrivateFileError("cannot create \(directory): \(reason(error))")
        }
    }

    /// Create an empty file with mode 0600 unless it exists. SQLite gives its
    /// -wal and -shm files the mode of the database file.
    static func touch(_ path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        if fd < 0 { throw PrivateFileError("cannot create \(path): \(String(cString: strerror(errno)))") }
        close(fd)
    }

    /// Replace `path` with `bytes` atomically: a 0600 temporary file in the
    /// same folder, fsynced, renamed over the old one; readers see the old
    /// file or the new one, never half of one.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        var directory = (path as NSString).deletingLastPathComponent
        if directory.isEmpty { directory = "." }
        try makeDirectory(directory)
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 { throw PrivateFileError("cannot write \(temporary): \(errnoText())") }
        var failure: String? = nil
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errnoText()
                    return
                }
                offset += n
            }
        }
        if failure == nil && fsync(fd) != 0 { failure = errnoText() }
        close(fd)
        if failure == nil && rename(temporary, path) != 0 { failure = errnoText() }
        if let failure {
            unlink(temporary)
            throw PrivateFileError("cannot write \(path): \(failure)")
        }
        // The rename itself is durable only once the folder is synced.
        let dirfd = open(directory, O_RDONLY | O_CLOEXEC)
        if dirfd >= 0 { fsync(dirfd); close(dirfd) }
    }

    /// Read a private JSON file: nil when it does not exist; an error when
    /// other users can read it (as ssh does with keys, such a file is not
    /// trusted) or when it is not JSON.
    static func readJSON(_ path: String) throws(PrivateFileError) -> JSONValue? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw PrivateFileError("\(path): \(errnoText())")
        }
        if info.st_mode & 0o077 != 0 {
            throw PrivateFileError(
                "\(path) is readable by other users (mode \(String(info.st_mode & 0o777, radix: 8))); run: chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PrivateFileError("\(path): cannot read")
        }
        do { return try JSONValue.parse(Array(data)) } catch { throw PrivateFileError("\(path): not valid JSON (\(error))") }
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }

    static func reason(_ error: Error) -> String {
        (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
    }
}

struct PrivateFileError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
