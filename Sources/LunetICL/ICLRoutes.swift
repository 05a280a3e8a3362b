/// Every iCL Portal path the binding calls, relative to the portal root
/// (`https://dev.iclportal.com`; the sandbox serves them under `/icl`).
/// Sources: seeds 001 (content items) and 002 (content types); entries marked
/// **assumed** are wire.md's assumptions, not documented paths.
public enum ICLRoutes {
    public static let table: [String: (method: String, path: String)] = [
        // Auth: client_credentials is documented; the password grant is **assumed** (standard OWIN).
        "token": ("POST", "/token"),

        // Content items (seed 001)
        "content.listAll": ("GET", "/api/content"),
        "content.list": ("GET", "/api/content/{type}"),
        "content.get": ("GET", "/api/content/{type}/{key}"),
        "content.create": ("POST", "/api/content/{type}"),
        "content.replace": ("PUT", "/api/content/{type}/{key}"),
        "content.delete": ("DELETE", "/api/content/{type}/{key}"),
        "content.batch": ("PUT", "/api/content/{type}/batch"),
        // **assumed**: the seed repeats the atomic path for the ignore-errors variant.
        "content.batchIgnoreErrors": ("PUT", "/api/content/{type}/batch?ignoreErrors=true"),
        "content.changesAll": ("GET", "/api/content/getchanges"),
        "content.changes": ("GET", "/api/content/{type}/getchanges"),

        // Content types (seed 002)
        "types.list": ("GET", "/api/contenttypes"),
        "type.get": ("GET", "/api/contenttype/{name}"),
        "type.download": ("GET", "/api/contenttype/{name}/download"),
        "type.create": ("POST", "/api/contenttype/{name}"),
        "type.update": ("PUT", "/api/contenttype/{name}"),
        "type.forceUpdate": ("PUT", "/api/contenttype/{name}/force"),
        "type.delete": ("DELETE", "/api/contenttype/{name}"),
        "type.forceDelete": ("DELETE", "/api/contenttype/{name}/force"),
        "type.resetSyncFilters": ("POST", "/api/contenttype/syncfilters/reset"),
    ]
}
