/// Every CoreData path the binding calls, relative to `COREDATA_BASE_URL`
/// (the sandbox's is `<sandbox>/coredata`). Every path ends in `/`: without
/// it the server answers a redirect, and a client may resend a POST as GET.
///
/// From the seed (003) and api-facts.md unless marked. Lists take
/// `?limit=&offset=` and the filters of wire.md; their `meta.next` is a path
/// from the host root, to be followed as given.
public enum CoreDataRoutes {
    public static let table: [String: (method: String, path: String)] = [
        "spaces.list": ("GET", "/api/v2/spaces/"),
        "spaces.get": ("GET", "/api/v2/spaces/{id}/"),
        "projects.list": ("GET", "/api/v2/projects/"),
        "projects.get": ("GET", "/api/v2/projects/{id}/"),
        "projects.create": ("POST", "/api/v2/projects/"),
        "folders.list": ("GET", "/api/v2/folders/"),
        "folders.get": ("GET", "/api/v2/folders/{id}/"),
        "files.list": ("GET", "/api/v2/files/"),
        "files.get": ("GET", "/api/v2/files/{id}/"),
        // Answers 302 to a pre-signed storage URL: follow it without the apikey header.
        "files.content": ("GET", "/api/v2/files/{id}/content/"),
        // multipart: filename, title, content, and one of project, folder, filespace.
        "files.upload": ("POST", "/api/v3/files/"),
        "contacts.list": ("GET", "/api/v2/contacts/"),
        "contacts.get": ("GET", "/api/v2/contacts/{id}/"),
        "contacts.create": ("POST", "/api/v2/contacts/"),
        "contacts.projects": ("GET", "/api/v2/contacts/{id}/projects/"),
        "contacts.files": ("GET", "/api/v2/contacts/{id}/files/"),
        "contacts.tasks": ("GET", "/api/v2/contacts/{id}/tasks/"),
        "tasks.list": ("GET", "/api/v2/tasks/"),
        "tasks.get": ("GET", "/api/v2/tasks/{id}/"),
        // Assumed (no source documents updates): Tastypie's partial update.
        // The sandbox serves them so tests can change objects.
        "projects.update": ("PATCH", "/api/v2/projects/{id}/"),
        "contacts.update": ("PATCH", "/api/v2/contacts/{id}/"),
        "files.update": ("PATCH", "/api/v2/files/{id}/"),
        "folders.update": ("PATCH", "/api/v2/folders/{id}/"),
        "tasks.update": ("PATCH", "/api/v2/tasks/{id}/"),
    ]
}
