import Foundation
import NIOCore

/// A response body written to disk so that the destination only ever holds
/// a complete file: bytes go to a temporary file in the same folder (same
/// file system, so the final rename is atomic), which is renamed over the
/// destination after the last byte and removed on any failure. A process
/// killed midway leaves a `.lunet-*.part` file beside the destination, never
/// a truncated destination.
final class DownloadFile {
    let destination: String
    let temporary: String
    private var fd: Int32
    private(set) var written: Int64 = 0

    init(destination: String) throws {
        self.destination = destination
        let url = URL(fileURLWithPath: destination)
        let folder = url.deletingLastPathComponent().path
        temporary = folder + "/." + url.lastPathComponent + ".lunet-" + String(UInt32.random(in: 0...UInt32.max), radix: 36) + ".part"
        fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else {
            throw TransportFailure(.other, "cannot create a file in \(folder): \(String(cString: strerror(errno)))")
        }
    }

    deinit { discard() }

    func write(_ buffer: ByteBuffer) throws {
        try buffer.withUnsafeReadableBytes { raw in
            var done = 0
            while done < raw.count {
                let n = posixWrite(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw TransportFailure(.other, "cannot write \(destination): \(String(cString: strerror(errno)))")
                }
                done += n
            }
        }
        written += Int64(buffer.readableBytes)
    }

    /// Make the file durable and put it in place.
    func commit() throws {
        guard fd >= 0 else { return }
        let synced = fsync(fd) == 0
        close(fd)
        fd = -1
        guard synced, rename(temporary, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw TransportFailure(.other, "cannot save \(destination): \(reason)")
        }
    }

    /// Remove the temporary file (idempotent; the destination is untouched).
    func discard() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
        unlink(temporary)
    }
}

#if canImport(Glibc)
import Glibc
private func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { Glibc.write(fd, p, n) }
#elseif canImport(Darwin)
import Darwin
private func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { Darwin.write(fd, p, n) }
#endif
