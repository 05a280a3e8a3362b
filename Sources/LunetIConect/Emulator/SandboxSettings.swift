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
