/// Every iCONECT path, in one place: the binding builds its URLs from this
/// table and the sandbox emulator registers its routes from it, so correcting
/// a path here corrects both.
///
/// The vendor's document (seed 000, "iCONECT API Documentation 0.10.0") lost
/// every URL path; only the identity endpoints (`/openid/authorize`,
/// `/openid/token`) survive in its text. All other paths are **assumed**
/// (wire.md "iCONECT"), built from the release notes' `/clients/:id/deactivate`
/// and the parameter names of each operation. Paths are relative to
/// `identity_url` (names starting "identity.") or to `api_url` (the rest).
/// Parameters are the seed's names in braces.
public enum IConectRoutes {
    public static let table: [String: (method: String, path: String)] = [
        // Identity provider (OpenID Connect): from the seed.
        "identity.authorize": ("GET", "/openid/authorize"),
        "identity.token": ("POST", "/openid/token"),

        // System — assumed.
        "user": ("GET", "/user"),
        "system": ("GET", "/system"),
        "upload_target": ("GET", "/uploadtarget"),
        "dataservers.list": ("GET", "/dataservers"),
        "projects.dataserver": ("GET", "/projects/{project_id}/dataserver"),

        // Clients — assumed, except the `deactivate` suffix (release notes, Beta 2).
        "clients.list": ("GET", "/clients"),
        "clients.create": ("POST", "/clients"),
        "clients.get": ("GET", "/clients/{client_id}"),
        "clients.update": ("PUT", "/clients/{client_id}"),
        "clients.delete": ("DELETE", "/clients/{client_id}"),
        "clients.activate": ("PUT", "/clients/{client_id}/activate"),
        "clients.deactivate": ("PUT", "/clients/{client_id}/deactivate"),

        // Projects — assumed, except the `deactivate` suffix (release notes, Beta 2).
        "projects.list": ("GET", "/projects"),
        "projects.create": ("POST", "/projects"),
        "projects.get": ("GET", "/projects/{project_id}"),
        "projects.update": ("PUT", "/projects/{project_id}"),
        "projects.delete": ("DELETE", "/projects/{project_id}"),
        "projects.activate": ("PUT", "/projects/{project_id}/activate"),
        "projects.deactivate": ("PUT", "/projects/{project_id}/deactivate"),
        "projects.settings": ("GET", "/projects/{project_id}/settings"),
        "projects.client": ("GET", "/projects/{project_id}/clients"),
        "projects.add_client": ("PUT", "/projects/{project_id}/clients/{client_id}"),
        "projects.remove_client": ("DELETE", "/projects/{project_id}/clients/{client_id}"),

        // Fields — assumed.
        "fields.list": ("GET", "/projects/{project_id}/fields"),
        "fields.create": ("POST", "/projects/{project_id}/fields"),
        "fields.get": ("GET", "/projects/{project_id}/fields/{field_id}"),
        "fields.update": ("PUT", "/projects/{project_id}/fields/{field_id}"),
        "fields.delete": ("DELETE", "/projects/{project_id}/fields/{field_id}"),

        // Panels — assumed.
        "panels.list": ("GET", "/projects/{project_id}/panels"),
        "panels.create": ("POST", "/projects/{project_id}/panels"),
        "panels.get": ("GET", "/projects/{project_id}/panels/{panel_id}"),
        "panels.update": ("PUT", "/projects/{project_id}/panels/{panel_id}"),
        "panels.delete": ("DELETE", "/projects/{project_id}/panels/{panel_id}"),

        // Folders — assumed.
        "folders.list": ("GET", "/projects/{project_id}/panels/{panel_id}/folders"),
        "folders.create": ("POST", "/projects/{project_id}/panels/{panel_id}/folders"),
        "folders.get": ("GET", "/projects/{project_id}/panels/{panel_id}/folders/{folder_id}"),
        "folders.update": ("PUT", "/projects/{project_id}/panels/{panel_id}/folders/{folder_id}"),
        "folders.delete": ("DELETE", "/projects/{project_id}/panels/{panel_id}/folders/{folder_id}"),
        "folders.records": ("GET", "/projects/{project_id}/panels/{panel_id}/folders/{folder_id}/records"),
        "folders.add_records": ("POST", "/projects/{project_id}/panels/{panel_id}/folders/{folder_id}/records"),
        "folders.remove_records": ("DELETE", "/projects/{project_id}/panels/{panel_id}/folders/{folder_id}/records"),

        // Records — assumed.
        "records.list": ("GET", "/projects/{project_id}/records"),
        "records.create": ("POST", "/projects/{project_id}/records"),
        "records.update": ("PUT", "/projects/{project_id}/records"),
        "records.count": ("GET", "/projects/{project_id}/records/count"),
        "records.get": ("GET", "/projects/{project_id}/records/{record_id}"),
        "records.delete": ("DELETE", "/projects/{project_id}/records/{record_id}"),
        "records.folders": ("GET", "/projects/{project_id}/records/{record_id}/folders"),

        // Native files — assumed. `upload_status` is the sandbox's own
        // (the real API has no documented way to ask; see docs/emulators/iconect.md).
        "files.download": ("GET", "/projects/{project_id}/records/{record_id}/files/{field_id}"),
        "files.upload": ("POST", "/projects/{project_id}/records/{record_id}/files/{field_id}"),
        "files.delete": ("DELETE", "/projects/{project_id}/records/{record_id}/files/{field_id}"),
        "files.upload_status": ("GET", "/projects/{project_id}/records/{record_id}/files/{field_id}/upload"),

        // File stores — assumed; `upload_status` is the sandbox's own.
        "filestores.list": ("GET", "/projects/{project_id}/filestores"),
        "filestores.get": ("GET", "/projects/{project_id}/filestores/{filestore_id}"),
        "filestores.upload": ("POST", "/projects/{project_id}/filestores/{filestore_id}/upload"),
        "filestores.upload_status": ("GET", "/projects/{project_id}/filestores/{filestore_id}/upload"),

        // Jobs — assumed. The seed says POST also starts and stops a job.
        "jobs.list": ("GET", "/projects/{project_id}/jobs"),
        "jobs.create": ("POST", "/projects/{project_id}/jobs"),
        "jobs.get": ("GET", "/projects/{project_id}/jobs/{job_id}"),
        "jobs.update": ("PUT", "/projects/{project_id}/jobs/{job_id}"),
        "jobs.delete": ("DELETE", "/projects/{project_id}/jobs/{job_id}"),
        "jobs.start": ("PUT", "/projects/{project_id}/jobs/{job_id}/start"),
        "jobs.start.post": ("POST", "/projects/{project_id}/jobs/{job_id}/start"),
        "jobs.stop": ("PUT", "/projects/{project_id}/jobs/{job_id}/stop"),
        "jobs.stop.post": ("POST", "/projects/{project_id}/jobs/{job_id}/stop"),

        // Views and templates — assumed.
        "views.create": ("POST", "/projects/{project_id}/views"),
        "views.delete": ("DELETE", "/projects/{project_id}/views/{view_id}"),
        "templates.list": ("GET", "/projects/{project_id}/templates"),
    ]

    /// Where the sandbox serves the two base URLs, under its `/iconect`
    /// prefix: `identity_url = <sandbox>/iconect/identity`,
    /// `api_url = <sandbox>/iconect/api/v1` (the `/api/v1` is **assumed**).
    public static let sandboxIdentityBase = "/identity"
    public static let sandboxAPIBase = "/api/v1"

    /// Route names whose path starts at `identity_url`.
    public static func isIdentity(_ name: String) -> Bool { name.hasPrefix("identity.") }
}
