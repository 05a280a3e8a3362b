import Foundation
import LunetJSON

/// Where `secret "NAME"` in a config file finds values. The file store
/// below is the default; the OAuth credential store plugs in here too.
public protocol SecretResolver: Sendable {
    /// Where secrets come from, for messages ("/home/u/.local/state/lunet/secrets.json").
    var location: String { get }
    /// The secret, or nil when there is none with that name.
    func secret(named name: String) throws -> String?
}

/// `$XDG_STATE_HOME/lunet/secrets.json`: a JSON object of strings, mode
/// 0600, replaced atomically on every change under a lock, so two runs
/// writing at once lose neither write.
public struct SecretsFile: SecretResolver {
    public let path: String

    public init(path: String) { self.path = path }

    public init(environment: [String: String]) {
        self.init(path: XDGPaths(environment: environment).lunetState + "/secrets.json")
    }

    public var location: String { path }

    public func secret(named name: String) throws -> String? {
        try all()[name]
    }

    /// Every secret; empty when the file does not exist.
    public func all() throws -> [String: String] {
        let parsed: JSONValue
        do {
            guard let read = try PrivateFiles.readJSON(path) else { return [:] }
            parsed = read
        } catch {
            throw SecretsError(error.description)
        }
        guard let object = parsed.object else { throw SecretsError("\(path): must hold a JSON object of strings") }
        var secrets: [String: String] = [:]
        for (name, value) in object {
            guard let text = value.string else {
                throw SecretsError("\(path): secret '\(name)' must be a string")
            }
            secrets[name] = text
        }
        return secrets
    }

    /// Store (or, with nil, remove) one secret.
    public func set(_ name: String, to value: String?) throws {
        let directory = (path as NSString).deletingLastPathComponent
        do { try PrivateFiles.makeDirectory(directory) } catch { throw SecretsError("\(error)") }
        guard let lock = try FileLocks(directory: directory).tryLockWaiting(Self.lockName) else {
            throw SecretsError("\(path): could not lock")
        }
        defer { lock.release() }
        var secrets = try all()
        secrets[name] = value
        let object = JSONObject(secrets.keys.sorted().map { ($0, JSONValue.string(secrets[$0]!)) })
        do {
            try PrivateFiles.writeAtomically(JSONValue.object(object).serialized(pretty: true) + [0x0A], to: path)
        } catch {
            throw SecretsError("\(error)")
        }
    }

    static let lockName = "secrets.json"
}

public struct SecretsError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
