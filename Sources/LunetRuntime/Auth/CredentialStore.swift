import Foundation
import LunetJSON

/// Which credentials: a service and a profile ("iconect", "default").
public struct CredentialKey: Hashable, Sendable, CustomStringConvertible {
    public var service: String
    public var profile: String
    public init(service: String, profile: String) {
        self.service = service
        self.profile = profile
    }
    public var description: String { "\(service)/\(profile)" }
}

/// One stored credential (what `lunet login` writes and refreshes rotate).
public struct CredentialEntry: Sendable, Equatable {
    public var accessToken: String?
    public var refreshToken: String?
    public var tokenType: String?
    public var expiresAt: Date?
    public var lifetime: TimeInterval?
    public var scope: String?
    /// Fingerprint of the configured refresh token this chain of rotations
    /// started from: a different configured token means "start over".
    public var origin: String?
    public var updatedAt: Date?
    /// Members this version does not know, kept as they were.
    public var extra = JSONObject()

    public init() {}

    public init(tokens: TokenSet, updatedAt: Date) {
        apply(tokens, at: updatedAt)
    }

    /// Store a new token set; a response without a refresh token keeps the
    /// one we have (servers that do not rotate).
    public mutating func apply(_ tokens: TokenSet, at date: Date) {
        accessToken = tokens.accessToken
        tokenType = tokens.tokenType
        if let refresh = tokens.refreshToken { refreshToken = refresh }
        expiresAt = tokens.expiresAt
        lifetime = tokens.lifetime
        scope = tokens.scope ?? scope
        updatedAt = date
    }

    public var tokens: TokenSet? {
        guard let accessToken, !accessToken.isEmpty else { return nil }
        return TokenSet(
            accessToken: accessToken, tokenType: tokenType ?? "Bearer", refreshToken: refreshToken,
            expiresAt: expiresAt, lifetime: lifetime, scope: scope)
    }

    static let knownKeys: Set<String> = [
        "access_token", "refresh_token", "token_type", "expires_at", "lifetime", "scope", "origin", "updated_at",
    ]

    init(json: JSONObject) {
        accessToken = json["access_token"]?.string
        refreshToken = json["refresh_token"]?.string
        tokenType = json["token_type"]?.string
        expiresAt = json["expires_at"]?.double.map(Date.init(timeIntervalSince1970:))
        lifetime = json["lifetime"]?.double
        scope = json["scope"]?.string
        origin = json["origin"]?.string
        updatedAt = json["updated_at"]?.double.map(Date.init(timeIntervalSince1970:))
        for (key, value) in json where !Self.knownKeys.contains(key) { extra[key] = value }
    }

    var json: JSONObject {
        var o = JSONObject()
        func put(_ key: String, _ value: JSONValue?) { if let value { o[key] = value } }
        put("access_token", accessToken.map(JSONValue.string))
        put("refresh_token", refreshToken.map(JSONValue.string))
        put("token_type", tokenType.map(JSONValue.string))
        put("expires_at", expiresAt.map { .integer(Int64($0.timeIntervalSince1970.rounded(.down))) })
        put("lifetime", lifetime.map(JSONValue.double))
        put("scope", scope.map(JSONValue.string))
        put("origin", origin.map(JSONValue.string))
        put("updated_at", updatedAt.map { .integer(Int64($0.timeIntervalSince1970.rounded(.down))) })
        for (key, value) in extra { o[key] = value }
        return o
    }
}

public struct CredentialStoreError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// `$XDG_STATE_HOME/lunet/credentials.json`: tokens by service and profile.
///
/// The file is mode 0600 in a 0700 folder and is only ever replaced whole
/// (temporary file, fsync, rename, fsync of the folder), so a reader sees
/// the old or the new file and a crash loses at most the change in flight.
/// Changes happen under an exclusive flock on `credentials.json.lock`: take
/// the lock, re-read the file (another process may have rotated a token a
/// moment ago), change, write, release. docs/http.md has the protocol.
public final class CredentialStore: Sendable {
    public let path: String
    public let lockTimeout: Duration
    /// Called after each durable write (tests observe ordering with it).
    private let observer: (@Sendable (CredentialKey, CredentialEntry?) -> Void)?
    /// Where the refresh lock is when it is not the flock beside the file:
    /// the PostgreSQL state store's lock, so runs on several machines
    /// take turns too (docs/state.md).
    private let sharedLock: (@Sendable (Duration) async throws -> any StateLock)?

    public init(
        path: String, lockTimeout: Duration = .seconds(60),
        observer: (@Sendable (CredentialKey, CredentialEntry?) -> Void)? = nil,
        sharedLock: (@Sendable (Duration) async throws -> any StateLock)? = nil
    ) {
        self.path = path
        self.lockTimeout = lockTimeout
        self.observer = observer
        self.sharedLock = sharedLock
    }

    /// The name of the refresh lock in a shared state store.
    public static let sharedLockName = "lunet:credentials"

    /// `$XDG_STATE_HOME/lunet/credentials.json`, default `~/.local/state/…`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        XDGPaths(environment: environment).lunetState + "/credentials.json"
    }

    public convenience init(environment: [String: String]) {
        self.init(path: Self.defaultPath(environment: environment))
    }

    var lockPath: String { path + ".lock" }
    var directory: String { (path as NSString).deletingLastPathComponent }

    /// The entry as last written (no lock: writes are atomic renames).
    public func entry(_ key: CredentialKey) throws -> CredentialEntry? {
        try readAll()[key.description]
    }

    /// Change one entry under the lock. `change` gets the entry as it is now
    /// (re-read after locking) and returns the new entry (nil removes it) and
    /// a result; the new entry is on disk, durably, before this returns.
    public func update<T: Sendable>(
        _ key: CredentialKey,
        _ change: @Sendable (CredentialEntry?) async throws -> (CredentialEntry?, T)
    ) async throws -> T {
        do { try PrivateFiles.makeDirectory(directory) } catch { throw CredentialStoreError("\(error)") }
        let lock: any StateLock
        do {
            if let sharedLock {
                lock = try await sharedLock(lockTimeout)
            } else {
                lock = try await FileLock.acquire(lockPath, timeout: lockTimeout)
            }
        } catch let failure as FileLock.Failure {
            throw CredentialStoreError(failure.description)
        } catch let failure as StateError {
            throw CredentialStoreError("refresh lock: \(failure)")
        }
        defer { lock.release() }
        var all = try readAll()
        let before = all[key.description]
        let (after, result) = try await change(before)
        if after != before {
            all[key.description] = after
            try writeAll(all)
            observer?(key, after)
        }
        return result
    }

    public func set(_ key: CredentialKey, _ entry: CredentialEntry?) async throws {
        try await update(key) { _ in (entry, ()) }
    }

    // MARK: The file

    private func readAll() throws -> [String: CredentialEntry] {
        let json: JSONValue
        do {
            guard let read = try PrivateFiles.readJSON(path) else { return [:] }
            json = read
        } catch {
            throw CredentialStoreError(error.description)
        }
        var out: [String: CredentialEntry] = [:]
        for (key, value) in json["entries"]?.object ?? [:] {
            if let object = value.object { out[key] = CredentialEntry(json: object) }
        }
        return out
    }

    private func writeAll(_ entries: [String: CredentialEntry]) throws {
        var object = JSONObject()
        for key in entries.keys.sorted() { object[key] = .object(entries[key]!.json) }
        let file: JSONValue = ["version": 1, "entries": .object(object)]
        do {
            try PrivateFiles.writeAtomically(file.serialized(pretty: true) + [0x0A], to: path)
        } catch {
            throw CredentialStoreError("\(error)")
        }
    }
}
