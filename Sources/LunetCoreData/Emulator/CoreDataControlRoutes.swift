import Hummingbird
import LunetJSON
import LunetSandbox

/// `/coredata/_control/…`: the sandbox's own knobs, not part of the API and
/// without authentication (like `/_sandbox/`).
///
///     GET  _control/clock                   → {now, frozen, offset}
///     PUT  _control/clock  {"now": "2024-03-01T10:00:00Z", "frozen": true}
///     PUT  _control/clock  {"advance": 5}    (seconds; keeps frozen or running)
///     PUT  _control/links  {"lifetime": 2}   (seconds storage links stay valid)
extension CoreDataEmulator {
    func registerControl(on group: RouterGroup<SandboxContext>) {
        let store = self.store
        group.get("_control/clock") { _, _ in
            SandboxJSON.response(try await store.read { try CoreDataSettings.clock($0) })
        }
        group.put("_control/clock") { request, _ in
            await Self.answer {
                let body = try await CoreDataHTTP.object(of: request)
                var given: Int64?
                if let text = body["now"]?.string {
                    guard let time = CoreDataTime.parse(text) else {
                        throw CoreDataError.badRequest("now: not ISO 8601")
                    }
                    given = Int64(time)
                }
                let at = given
                let advance = body["advance"]?.integer
                let clock = try await store.write { tx in
                    let wasFrozen = try tx.get(CoreDataSettings.collection, id: "clock")?["frozen"]?.integer != nil
                    var target = try at ?? CoreDataSettings.now(tx)
                    target += advance ?? 0
                    try CoreDataSettings.setClock(tx, at: target, frozen: body["frozen"]?.bool ?? wasFrozen)
                    return try CoreDataSettings.clock(tx)
                }
                return SandboxJSON.response(clock)
            }
        }
        group.put("_control/links") { request, _ in
            await Self.answer {
                let body = try await CoreDataHTTP.object(of: request)
                // Negative: links that have already expired (tests of a client's handling).
                guard let seconds = body["lifetime"]?.integer, seconds >= -86_400 else {
                    throw CoreDataError.badRequest("lifetime: seconds, -86400 or more")
                }
                try await store.write { try CoreDataSettings.setLinkLifetime($0, seconds) }
                return SandboxJSON.response(["lifetime": .integer(seconds)])
            }
        }
    }
}
