import Hummingbird
import LunetJSON
import LunetSandbox

/// Virtual exports: `POST /connections/{id}/export` answers the first page;
/// `POST /connections/{id}/export/pages` pages through everything, carrying
/// a signed `pagedExportState` that the client must send back exactly.
extension IntegratorEmulator {
    static let defaultPageSize = 20

    func registerExports(on v1: RouterGroup<SandboxContext>) {
        let store = self.store
        v1.post("connections/:id/export") { request, context in
            let id = try context.parameters.require("id")
            return await Self.answer {
                let body = try await IntegratorHTTP.object(of: request)
                let model = try Self.exportModel(body)
                let size = try Self.pageSize(model)
                let resource = IntegratorData.exportResource(model)
                let page = try await store.write { tx in
                    _ = try Self.connection(tx, id)
                    let page = try IntegratorData.page(tx, id, resource, offset: 0, limit: size)
                    try IntegratorDebugLog.record(
                        tx, id, resource: model["_id"]?.string, "export \(resource): \(page.count) record(s)")
                    return page
                }
                return IntegratorHTTP.json(IntegratorData.render(page))
            }
        }
        v1.post("connections/:id/export/pages") { request, context in
            let id = try context.parameters.require("id")
            return await Self.answer {
                let body = try await IntegratorHTTP.object(of: request)
                let model = try Self.exportModel(body)
                let size = try Self.pageSize(model)
                let state = body["pagedExportState"]
                let answer = try await store.write { tx in
                    _ = try Self.connection(tx, id)
                    let search: IntegratorPagedExport
                    if let state, state != .null {
                        search = try IntegratorPagedExport.resume(tx, connection: id, model: model, state: state)
                    } else {
                        search = try IntegratorPagedExport.start(tx, connection: id, model: model, pageSize: size)
                    }
                    return try search.answer(tx)
                }
                return IntegratorHTTP.json(answer)
            }
        }
    }

    static func exportModel(_ body: JSONObject) throws -> JSONValue {
        guard let model = body["export"] else { throw IntegratorError.missing("export") }
        guard model.object != nil else { throw IntegratorError.invalid("export", "`export` must be an object.") }
        return model
    }

    static func pageSize(_ model: JSONValue) throws -> Int {
        guard let given = model["pageSize"] else { return defaultPageSize }
        guard let size = given.integer, size >= 1, size <= IntegratorPage.maximumLimit else {
            throw IntegratorError.invalid("export.pageSize", "`pageSize` must be a whole number from 1 to 1000.")
        }
        return Int(size)
    }
}
