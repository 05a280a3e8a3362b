import Foundation
import Hummingbird
import LunetJSON
import LunetSandbox

/// The global state API: `GET /state` (`{"keys": […]}`, 204 when none),
/// `DELETE /state` (all keys), and `GET`, `PUT`, `DELETE /state/{key}`.
/// PUT answers as Express's `sendStatus` does: 201 `Created` for a new key,
/// 200 `OK` for an existing one (the docs show both words as the body).
extension IntegratorEmulator {
    static let state = "state"

    func registerState(on v1: RouterGroup<SandboxContext>) {
        let store = self.store
        v1.get("state") { _, _ in
            await Self.answer {
                let keys = try await store.scan(Self.state).compactMap { $0.body["key"]?.string }
                if keys.isEmpty { return Response(status: .noContent) }
                return SandboxJSON.response(["keys": .array(keys.sorted().map { .string($0) })])
            }
        }
        v1.delete("state") { _, _ in
            await Self.answer {
                try await store.write { tx in
                    for document in try tx.scan(Self.state, after: nil, limit: nil) {
                        try tx.delete(Self.state, id: document.id)
                    }
                }
                return Response(status: .noContent)
            }
        }
        v1.get("state/:key") { _, context in
            let key = try Self.stateKey(context)
            return await Self.answer {
                guard let entry = try await store.get(Self.state, id: key) else {
                    throw IntegratorError.notFound("State key", key)
                }
                return SandboxJSON.response(entry["value"] ?? .null)
            }
        }
        v1.put("state/:key") { request, context in
            let key = try Self.stateKey(context)
            return await Self.answer {
                let value = try await IntegratorHTTP.json(of: request)
                let existed = try await store.write { tx in
                    let existed = try tx.get(Self.state, id: key) != nil
                    try tx.put(Self.state, id: key, ["key": .string(key), "value": value])
                    return existed
                }
                return existed
                    ? IntegratorHTTP.text("OK", status: .ok) : IntegratorHTTP.text("Created", status: .created)
            }
        }
        v1.delete("state/:key") { _, context in
            let key = try Self.stateKey(context)
            return await Self.answer {
                guard try await store.delete(Self.state, id: key) else {
                    throw IntegratorError.notFound("State key", key)
                }
                return Response(status: .noContent)
            }
        }
    }

    static func stateKey(_ context: SandboxContext) throws -> String {
        let raw = try context.parameters.require("key")
        return raw.removingPercentEncoding ?? raw
    }
}
