import Foundation
import LunetJSON
import LunetSandbox

/// The emulator's own settings, kept in the store like its data: the clock
/// (tests freeze or shift it so several changes land in one second), the
/// lifetime of storage links, and the secret that signs them.
enum CoreDataSettings {
    static let collection = "settings"
    static let defaultLinkLifetime: Int64 = 300

    /// Now, in whole seconds: the frozen time if the clock is frozen, else
    /// the wall clock plus the configured offset.
    static func now(_ tx: any SandboxTransaction) throws -> Int64 {
        let clock = try tx.get(collection, id: "clock")
        if let frozen = clock?["frozen"]?.integer { return frozen }
        return Int64(Date().timeIntervalSince1970) + (clock?["offset"]?.integer ?? 0)
    }

    static func clock(_ tx: any SandboxTransaction) throws -> JSONValue {
        let clock = try tx.get(collection, id: "clock")
        return [
            "now": .string(CoreDataTime.format(try now(tx))),
            "frozen": .bool(clock?["frozen"]?.integer != nil),
            "offset": .integer(clock?["offset"]?.integer ?? 0),
        ]
    }

    /// `frozen` nil keeps the clock running; `at` sets the time (frozen or
    /// running from there).
    static func setClock(_ tx: any SandboxTransaction, at: Int64?, frozen: Bool) throws {
        let target = try at ?? now(tx)
        if frozen {
            try tx.put(collection, id: "clock", ["frozen": .integer(target)])
        } else {
            try tx.put(collection, id: "clock", ["offset": .integer(target - Int64(Date().timeIntervalSince1970))])
        }
    }

    static func linkLifetime(_ tx: any SandboxTransaction) throws -> Int64 {
        try tx.get(collection, id: "links")?["lifetime"]?.integer ?? defaultLinkLifetime
    }

    static func setLinkLifetime(_ tx: any SandboxTransaction, _ seconds: Int64) throws {
        try tx.put(collection, id: "links", ["lifetime": .integer(seconds)])
    }

    /// The per-server signing secret, made on first use and kept, so links
    /// handed out before a restart (with `--data`) still work after it.
    static func secret(_ tx: any SandboxTransaction) throws -> [UInt8] {
        if let text = try tx.get(collection, id: "secret")?["key"]?.string { return Array(text.utf8) }
        let key = CoreDataIDs.random() + CoreDataIDs.random()
        try tx.put(collection, id: "secret", ["key": .string(key)])
        return Array(key.utf8)
    }
}
