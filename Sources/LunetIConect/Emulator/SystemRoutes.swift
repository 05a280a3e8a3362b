import LunetJSON
import LunetSandbox

/// The signed-in user, system information, the upload target and data servers.
extension IConectEmulator {
    static let iconectVersion = "11.2.5"
    static let apiVersion = "0.10.0 (v1)"

    func registerSystem(_ api: APIRoutes) {
        api.on("user") { call in Reply.json(call.user.json) }

        // The seed shows an array of objects without their members; we
        // answer name/value pairs.
        api.on("system") { call in
            let projects = try await call.store.read { try $0.count(Coll.projects) }
            return Reply.json([
                ["name": "iCONECT Version", "value": .string(Self.iconectVersion)],
                ["name": "REST API Version", "value": .string(Self.apiVersion)],
                ["name": "Server Time (UTC)", "value": .string(Clock.nowISO)],
                ["name": "Projects", "value": .string(String(projects))],
            ])
        }

        api.on("upload_target") { call in
            let target = try await call.store.read { tx -> JSONValue in
                guard let target = try tx.get(Coll.system, id: "upload_target")?.object,
                    let project = try tx.object(Coll.projects, target.int("project_id"))
                else { return [] }
                return [["project_id": .integer(project.int("id")), "project_name": .string(project.str("name"))]]
            }
            return Reply.json(target)
        }

        api.on("dataservers.list") { call in
            Reply.json(.array(try await call.store.read { try $0.all(Coll.dataservers).map { .object($0) } }))
        }

        api.on("projects.dataserver") { call in
            let p = try call.id("project_id")
            let server = try await call.store.read { tx -> JSONObject in
                let project = try tx.requireProject(p)
                return try tx.require(Coll.dataservers, project.int("dataservers_id"), "Data server")
            }
            return Reply.json(.object(server))
        }
    }
}
