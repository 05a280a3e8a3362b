/// Every integrator.io path the binding calls, relative to the base URL
/// (`https://api.integrator.io/v1`, `https://api.eu.integrator.io/v1`; the
/// sandbox's is `<sandbox>/integrator/v1`). Lists page with the `Link`
/// header (`rel="next"`); always pass `limit`.
///
/// Connections are the seed's (004); flows, jobs, state and tokenInfo come
/// from api-facts.md (the vendor's other pages).
public enum IntegratorRoutes {
    public static let table: [String: (method: String, path: String)] = [
        "tokenInfo": ("GET", "/tokenInfo"),
        "connections.list": ("GET", "/connections"),
        "connections.create": ("POST", "/connections"),
        "connections.get": ("GET", "/connections/{id}"),
        "connections.update": ("PUT", "/connections/{id}"),
        "connections.delete": ("DELETE", "/connections/{id}"),
        "connections.ping": ("GET", "/connections/{id}/ping"),
        // Virtual ping: the connection model is the body; nothing is saved.
        "connections.pingVirtual": ("POST", "/connections/ping"),
        // The seed's table writes /debug/{_resourceId}; wire.md assumes the
        // query form ?_resourceId=. The sandbox serves both.
        "connections.debug": ("GET", "/connections/{id}/debug"),
        "connections.export": ("POST", "/connections/{id}/export"),
        // Send back the exact pagedExportState of the previous answer until done.
        "connections.exportPages": ("POST", "/connections/{id}/export/pages"),
        "connections.import": ("POST", "/connections/{id}/import"),
        "connections.importMap": ("POST", "/connections/{id}/import/map"),
        "flows.list": ("GET", "/flows"),
        "flows.get": ("GET", "/flows/{id}"),
        // The answer's body ({"_jobId"}) is assumed: no source shows it.
        "flows.run": ("POST", "/flows/{id}/run"),
        // Needs an id or createdAt filter; newest first.
        "jobs.list": ("GET", "/jobs"),
        "jobs.get": ("GET", "/jobs/{id}"),
        "state.keys": ("GET", "/state"),
        "state.deleteAll": ("DELETE", "/state"),
        "state.get": ("GET", "/state/{key}"),
        "state.put": ("PUT", "/state/{key}"),
        "state.delete": ("DELETE", "/state/{key}"),
    ]
}
