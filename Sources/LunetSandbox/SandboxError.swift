/// Thrown by a module's `seed(_:)` when it has no data set by that name; the
/// host then seeds the other modules and fails only if none has it.
public struct UnknownSeed: Error, Sendable {
    public var name: String

    public init(_ name: String) {
        self.name = name
    }
}

public enum SandboxError: Error, Sendable, Equatable, CustomStringConvertible {
    case portInUse(Int)
    case cannotListen(port: Int, reason: String)
    case badPrefix(String, reason: String)
    case unknownSeed(String)
    case seedFailed(name: String, prefix: String, reason: String)
    case cannotOpenStore(directory: String, reason: String)

    public var description: String {
        switch self {
        case .portInUse(let port):
            "port \(port) on 127.0.0.1 is already in use (choose another --port, or omit it for a free one)"
        case .cannotListen(let port, let reason):
            "cannot listen on 127.0.0.1:\(port): \(reason)"
        case .badPrefix(let prefix, let reason):
            "sandbox module prefix '\(prefix)': \(reason)"
        case .unknownSeed(let name):
            "unknown seed '\(name)': no sandbox module has a data set by that name"
        case .seedFailed(let name, let prefix, let reason):
            "seed '\(name)' failed in module '\(prefix)': \(reason)"
        case .cannotOpenStore(let directory, let reason):
            "cannot open the sandbox data in \(directory): \(reason)"
        }
    }
}
