import Foundation
import Hummingbird
import LunetJSON
import LunetSandbox

/// Knobs for tests, kept in the store (collection "settings") so they live
/// as long as the data: `GET` and `PUT /iconect/_sandbox/settings`.
struct SandboxSettings: Sendable, Equatable {
    /// Seconds an access token lives (the seed's samples say about 3600).
    var accessTokenLifetime: Int64 = 3600
    var refreshTokenLifetime: Int64 = 30 * 24 * 3600
    var authorizationCodeLifetime: Int64 = 60
    /// Seconds a started job spends in each status before the next one.
    var jobStepSeconds: Double = 1

    static let collection = "settings"

    static func load(_ tx: any SandboxTransaction) throws -> SandboxSettings {
        var settings = SandboxSettings()
        guard let stored = try tx.get(collection, id: "current") else { return settings }
        try settings.apply(stored)
        return settings
    }

    mutating func apply(_ changes: JSONValue) throws {
        guard let object = changes.object else { throw IConectError.badRequest("settings must be a JSON object") }
        for (key, value) in object {
            switch key {
            case "access_token_lifetime": accessTokenLifetime = try Self.seconds(key, value)
            case "refresh_token_lifetime": refreshTokenLifetime = try Self.seconds(key, value)
            case "authorization_code_lifetime": authorizationCodeLifetime = try Self.seconds(key, value)
            case "job_step_seconds":
                guard let seconds = value.double, seconds >= 0 else {
                    throw IConectError.badRequest("job_step_seconds must be a number of seconds ≥ 0")
                }
                jobStepSeconds = seconds
            default: throw IConectError.badRequest("unknown setting '\(key)'")
            }
        }
    }

    private static func seconds(_ key: String, _ value: JSONValue) throws -> Int64 {
        guard let seconds = value.integer, seconds >= 0 else {
            throw IConectError.badRequest("\(key) must be a whole number of seconds ≥ 0")
        }
        return seconds
    }

    var json: JSONValue {
        [
            "access_token_lifetime": .integer(accessTokenLifetime),
            "refresh_token_lifetime": .integer(refreshTokenLifetime),
            "authorization_code_lifetime": .integer(authorizationCodeLifetime),
            "job_step_seconds": .double(jobStepSeconds),
        ]
    }
}

extension IConectEmulator {
    func registerControl(on group: RouterGroup<SandboxContext>) {
        let store = self.store
        group.get("_sandbox/settings") { _, _ in
            do {
                return Reply.json(try await store.read { try SandboxSettings.load($0).json })
            } catch let error as IConectError { return error.response }
        }
        group.put("_sandbox/settings") { request, _ in
            do {
                let buffer = try await request.body.collect(upTo: 1 << 20)
                let changes = try JSONValue.parse(buffer.readableBytesView)
                let settings = try await store.write { tx in
                    var settings = try SandboxSettings.load(tx)
                    try settings.apply(changes)
                    try tx.put(SandboxSettings.collection, id: "current", settings.json)
                    return settings
                }
                return Reply.json(settings.json)
            } catch let error as IConectError {
                return error.response
            } catch {
                return IConectError.badRequest("settings body is not JSON: \(error)").response
            }
        }
        // Every access token stops working at once (a revoked session), and
        // with ?refresh=true the refresh tokens too.
        group.post("_sandbox/revoke-tokens") { request, _ in
            let refresh = (try? Query(request.uri.query).bool("refresh")) ?? false
            let revoked = try await store.write { tx in
                let count = try tx.count(Tokens.accessCollection) + (refresh ? try tx.count(Tokens.refreshCollection) : 0)
                try tx.removeAll(collectionPrefix: Tokens.accessCollection)
                if refresh { try tx.removeAll(collectionPrefix: Tokens.refreshCollection) }
                return count
            }
            return Reply.json(["revoked": .integer(Int64(revoked))])
        }
    }
}

/// Seconds since 1970 and the ISO 8601 text the API shows.
enum Clock {
    static var now: Double { Date().timeIntervalSince1970 }

    static func iso(_ seconds: Double) -> String {
        Date(timeIntervalSince1970: seconds.rounded(.down)).ISO8601Format()
    }

    static var nowISO: String { iso(now) }

    static func parse(_ text: String) -> Double? {
        if let date = try? Date(text, strategy: .iso8601) { return date.timeIntervalSince1970 }
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        if let date = try? Date(text, strategy: withFraction) { return date.timeIntervalSince1970 }
        return nil
    }
}
