import LunetJSON
import LunetSandbox

/// Projects and project templates. The seed's project shape is
/// `{name, description, LID}` (LID: the project's id); create "includes the
/// id … together with the parameters passed", so we answer both.
extension IConectEmulator {
    static let projectKeys = [
        "name", "description", "LID", "id", "state", "type", "client_id", "dataservers_id", "is_template",
        "created_date",
    ]

    func registerProjects(_ api: APIRoutes) {
        api.on("projects.list") { call in
            let filter = try call.query.int("type") ?? 0
            guard Enums.databaseFilter[filter] != nil else {
                throw IConectError.badRequest("The value '\(filter)' is not valid for type: use \(Enums.describe(Enums.databaseFilter)).")
            }
            let projects = try await call.store.read { try $0.all(Coll.projects) }.filter { project in
                let template = project["is_template"]?.bool ?? false
                return filter == 2 || (filter == 1) == template
            }
            return Reply.json(.array(projects.map { $0.shaped(Self.projectKeys) }))
        }
        api.on("projects.get") { call in
            let p = try call.id("project_id")
            return Reply.json(try await call.store.read { try $0.requireProject(p).shaped(Self.projectKeys) })
        }
        api.on("projects.settings") { call in
            let p = try call.id("project_id")
            return Reply.json(try await call.store.read { try $0.requireProject(p).shaped(Self.projectKeys) })
        }
        api.on("projects.create") { call in
            let body = BodyFields(object: try await call.object())
            let project = try await call.store.write { tx in try ProjectFactory.create(body, tx) }
            return Reply.created(project.shaped(Self.projectKeys))
        }
        api.on("projects.update") { call in
            let p = try call.id("project_id")
            let body = BodyFields(object: try await call.object())
            let name = try body.requiredString("name"), description = try body.requiredString("description")
            let project = try await call.store.write { tx in
                var project = try tx.requireProject(p)
                project["name"] = .string(name)
                project["description"] = .string(description)
                try tx.put(Coll.projects, p, project)
                return project
            }
            return Reply.json(project.shaped(["name", "description", "LID"]))
        }
        api.on("projects.delete") { call in
            let p = try call.id("project_id")
            try await call.store.write { tx in
                _ = try tx.requireProject(p)
                try tx.removeAll(collectionPrefix: Coll.project(p))
                try tx.delete(Coll.projects, p)
                if try tx.get(Coll.system, id: "upload_target")?["project_id"]?.integer == p {
                    try tx.delete(Coll.system, id: "upload_target")
                }
            }
            return Reply.ok("Project \(p) deleted")
        }
        for (name, state, verb) in [("projects.activate", Int64(0), "activated"), ("projects.deactivate", 2, "deactivated")] {
            api.on(name) { call in
                let p = try call.id("project_id")
                try await call.store.write { tx in
                    var project = try tx.requireProject(p)
                    project["state"] = .integer(state)
                    try tx.put(Coll.projects, p, project)
                }
                return Reply.ok("Project \(p) \(verb)")
            }
        }
        registerProjectClients(api)
    }

    /// One client per project (the seed: "Currently, only one client can be
    /// associated with a project"); adding another replaces it.
    private func registerProjectClients(_ api: APIRoutes) {
        api.on("projects.client") { call in
            let p = try call.id("project_id")
            let client = try await call.store.read { tx -> JSONObject in
                let project = try tx.requireProject(p)
                guard let client = try tx.object(Coll.clients, project.int("client_id")) else {
                    throw IConectError.notFound("Project \(p) has no client")
                }
                return client
            }
            return Reply.json(client.shaped(Self.clientKeys))
        }
        api.on("projects.add_client") { call in
            let p = try call.id("project_id"), c = try call.id("client_id")
            try await call.store.write { tx in
                var project = try tx.requireProject(p)
                _ = try tx.require(Coll.clients, c, "Client")
                project["client_id"] = .integer(c)
                try tx.put(Coll.projects, p, project)
            }
            return Reply.ok("Client \(c) added to project \(p)")
        }
        api.on("projects.remove_client") { call in
            let p = try call.id("project_id"), c = try call.id("client_id")
            try await call.store.write { tx in
                var project = try tx.requireProject(p)
                _ = try tx.require(Coll.clients, c, "Client")
                guard project.int("client_id") == c else {
                    throw IConectError.notFound("Client \(c) is not associated with project \(p)")
                }
                project["client_id"] = 0
                try tx.put(Coll.projects, p, project)
            }
            return Reply.ok("Client \(c) removed from project \(p)")
        }
    }
}
