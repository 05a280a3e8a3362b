import LunetJSON
import LunetSandbox

/// Clients: `{id, name, description, state}`.
extension IConectEmulator {
    static let clientKeys = ["id", "name", "description", "state"]

    func registerClients(_ api: APIRoutes) {
        api.on("clients.list") { call in
            Reply.json(.array(try await call.store.read { try $0.all(Coll.clients).map { $0.shaped(Self.clientKeys) } }))
        }
        api.on("clients.get") { call in
            let c = try call.id("client_id")
            return Reply.json(try await call.store.read { try $0.require(Coll.clients, c, "Client").shaped(Self.clientKeys) })
        }
        api.on("clients.create") { call in
            let fields = try Self.clientFields(BodyFields(object: try await call.object()))
            let client = try await call.store.write { tx in
                var client = fields
                client["id"] = .integer(try tx.nextID(Coll.clients))
                try tx.put(Coll.clients, client.int("id"), client)
                return client
            }
            return Reply.created(client.shaped(Self.clientKeys))
        }
        api.on("clients.update") { call in
            let c = try call.id("client_id")
            let fields = try Self.clientFields(BodyFields(object: try await call.object()))
            let client = try await call.store.write { tx in
                var client = try tx.require(Coll.clients, c, "Client")
                for (key, value) in fields { client[key] = value }
                try tx.put(Coll.clients, c, client)
                return client
            }
            return Reply.json(client.shaped(Self.clientKeys))
        }
        api.on("clients.delete") { call in
            let c = try call.id("client_id")
            try await call.store.write { tx in
                _ = try tx.require(Coll.clients, c, "Client")
                let projects = try tx.all(Coll.projects).filter { $0.int("client_id") == c }
                if let first = projects.first {
                    throw IConectError.badRequest(
                        "Client \(c) cannot be deleted while it is associated with projects (e.g. project \(first.int("id")))")
                }
                try tx.delete(Coll.clients, c)
            }
            return Reply.ok("Client \(c) deleted")
        }
        for (name, state, verb) in [("clients.activate", Int64(0), "activated"), ("clients.deactivate", 2, "deactivated")] {
            api.on(name) { call in
                let c = try call.id("client_id")
                try await call.store.write { tx in
                    var client = try tx.require(Coll.clients, c, "Client")
                    client["state"] = .integer(state)
                    try tx.put(Coll.clients, c, client)
                }
                return Reply.ok("Client \(c) \(verb)")
            }
        }
    }

    /// The seed marks name, description and state required for create and update.
    static func clientFields(_ body: BodyFields) throws -> JSONObject {
        let name = try body.requiredString("name")
        let description = try body.requiredString("description")
        guard let state = try body.member("state", of: Enums.state) else {
            throw IConectError.badRequest("The state field is required.")
        }
        return ["name": .string(name), "description": .string(description), "state": .integer(state)]
    }
}
