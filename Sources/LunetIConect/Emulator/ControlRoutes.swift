import Hummingbird
import LunetJSON
import LunetSandbox

/// The sandbox's own routes beside the API: settings and token revocation,
/// under /iconect/_sandbox/ (never part of the real service).
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
