import Hummingbird
import LunetJSON
import LunetSandbox

/// Ping (saved and virtual) and the debug log of a connection.
///
/// A connection is unhealthy when it is marked `offline: true` or its
/// REST/HTTP `baseURI` points at a `.invalid` host (the reserved TLD): its
/// ping answers 422 with code `ping_failed`.
extension IntegratorEmulator {
    func registerConnectionChecks(on v1: RouterGroup<SandboxContext>) {
        let store = self.store
        v1.get("connections/:id/ping") { request, context in
            let id = try context.parameters.require("id")
            return await Self.answer {
                let connection = try await store.write { tx in
                    let connection = try Self.connection(tx, id)
                    try IntegratorDebugLog.record(
                        tx, id, resource: nil, "GET ping \(Self.health(connection) ?? "200 OK")")
                    return connection
                }
                return try Self.ping(connection)
            }
        }
        v1.post("connections/ping") { request, _ in
            await Self.answer {
                let model = try Self.validConnection(try await IntegratorHTTP.object(of: request))
                return try Self.ping(model)
            }
        }
        v1.get("connections/:id/debug") { request, context in
            let id = try context.parameters.require("id")
            return await Self.answer {
                try await Self.debugLog(store, id, resource: IntegratorHTTP.query(request, "_resourceId"))
            }
        }
        v1.get("connections/:id/debug/:resource") { request, context in
            let id = try context.parameters.require("id")
            let resource = try context.parameters.require("resource")
            return await Self.answer { try await Self.debugLog(store, id, resource: resource) }
        }
    }

    static func ping(_ connection: JSONObject) throws -> Response {
        if let problem = health(connection) {
            throw IntegratorError(status: .unprocessableContent, code: "ping_failed", message: problem)
        }
        return SandboxJSON.response(["code": 200])
    }

    /// Why the connection would not work, or nil.
    static func health(_ connection: JSONObject) -> String? {
        if connection["offline"]?.bool == true {
            return "The connection is offline: its credentials were rejected (401)."
        }
        for kind in ["rest", "http"] {
            if let base = connection[kind]?["baseURI"]?.string, let host = base.split(separator: "/").dropFirst().first,
                host.split(separator: ":").first?.hasSuffix(".invalid") == true
            {
                return "getaddrinfo ENOTFOUND \(host)"
            }
        }
        return nil
    }

    static func debugLog(_ store: any SandboxStore, _ id: String, resource: String?) async throws -> Response {
        let lines = try await store.read { tx in
            _ = try Self.connection(tx, id)
            return try IntegratorDebugLog.lines(tx, id, resource: resource)
        }
        return IntegratorHTTP.text(lines.map { $0 + "\n" }.joined(), status: .ok)
    }
}

/// What a connection did, as text lines: `debug/<connection>` holds one
/// document per line, in order, each with the resource (export or import
/// `_id`) it was for.
enum IntegratorDebugLog {
    static func collection(_ connection: String) -> String { "debug/" + connection }

    static func record(_ tx: any SandboxTransaction, _ connection: String, resource: String?, _ text: String) throws {
        let number = try tx.nextSequence(collection(connection))
        let line = IntegratorTime.format(IntegratorHTTP.nowMilliseconds()) + " " + (resource ?? "-") + " " + text
        try tx.put(
            collection(connection), id: orderedKey(number),
            ["resource": resource.map { .string($0) } ?? .null, "line": .string(line)])
    }

    static func lines(_ tx: any SandboxTransaction, _ connection: String, resource: String?) throws -> [String] {
        try tx.scan(collection(connection), after: nil, limit: nil).compactMap { document in
            guard resource == nil || document.body["resource"]?.string == resource else { return nil }
            return document.body["line"]?.string
        }
    }
}
