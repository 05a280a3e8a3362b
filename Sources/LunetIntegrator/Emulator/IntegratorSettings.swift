import LunetJSON
import LunetSandbox

/// The sandbox's own knobs, kept in the store: the rate limit, how long a
/// job stays queued and running, and the secret that signs
/// `pagedExportState`.
enum IntegratorSettings {
    static let collection = "settings"

    static func rate(_ tx: any SandboxTransaction) throws -> IntegratorRateLimiter.Rate {
        guard let document = try tx.get(collection, id: "rate") else { return .documented }
        return .init(perSecond: document["perSecond"]?.double ?? 0, burst: document["burst"]?.double ?? 0)
    }

    static func setRate(_ tx: any SandboxTransaction, _ rate: IntegratorRateLimiter.Rate) throws {
        try tx.put(collection, id: "rate", ["perSecond": .double(rate.perSecond), "burst": .double(rate.burst)])
    }

    struct JobTiming: Sendable {
        var queuedSeconds = 1.0
        var runningSeconds = 3.0
    }

    static func jobTiming(_ tx: any SandboxTransaction) throws -> JobTiming {
        let document = try tx.get(collection, id: "jobs")
        var timing = JobTiming()
        if let queued = document?["queuedSeconds"]?.double { timing.queuedSeconds = queued }
        if let running = document?["runningSeconds"]?.double { timing.runningSeconds = running }
        return timing
    }

    static func setJobTiming(_ tx: any SandboxTransaction, _ timing: JobTiming) throws {
        try tx.put(
            collection, id: "jobs",
            ["queuedSeconds": .double(timing.queuedSeconds), "runningSeconds": .double(timing.runningSeconds)])
    }

    /// Made on first use and kept, so states handed out before a restart
    /// (with `--data`) still verify after it.
    static func secret(_ tx: any SandboxTransaction) throws -> [UInt8] {
        if let key = try tx.get(collection, id: "secret")?["key"]?.string { return Array(key.utf8) }
        let key = IntegratorHTTP.newID() + IntegratorHTTP.newID() + IntegratorHTTP.newID()
        try tx.put(collection, id: "secret", ["key": .string(key)])
        return Array(key.utf8)
    }
}
