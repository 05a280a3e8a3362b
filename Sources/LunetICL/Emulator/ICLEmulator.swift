import Hummingbird
import LunetJSON
import LunetSandbox

/// iCL Portal in the sandbox, under `/icl`: the token endpoint, content items
/// (OData listings, CRUD by `_id`/`contentItemId`/`externalId`, batch upserts,
/// change feeds) and content types (seeds 001 and 002). Every piece of state is
/// in `store`, so `--data DIR` keeps it across restarts.
/// Decisions where the seeds are silent: docs/emulators/icl.md.
public struct ICLEmulator: SandboxModule {
    public struct Credentials: Sendable {
        public var clientID: String
        public var clientSecret: String
        public var username: String
        public var password: String
    }

    /// What `lunet … --sandbox` connects with: either pair works.
    public static let sandboxCredentials = Credentials(
        clientID: "5ec0ffee-1c1a-4d00-8a5e-000000000001", clientSecret: "icl-sandbox-secret",
        username: "antoine.gadget", password: "icl-sandbox-password")

    public let prefix = "icl"
    let store: any SandboxStore

    public init(store: any SandboxStore) {
        self.store = store
    }

    public func register(on group: RouterGroup<SandboxContext>) {
        let auth = ICLAuth(store: store)
        auth.register(on: group)
        let api = ICLAPI(group: group, auth: auth)
        ContentItemRoutes(store: store).register(on: api)
        ChangeFeedRoutes(store: store).register(on: api)
        ContentTypeRoutes(store: store).register(on: api)
    }

    public func reset() async {
        try? await store.removeAll()
    }

    public func seed(_ name: String) async throws {
        guard name == "demo" else { throw UnknownSeed(name) }
        try await ICLDemoData.load(into: store)
    }
}

/// Registers `/api` routes behind the bearer check, turning `ICLError` into
/// the ABP error envelope and anything unexpected into ABP's 500.
struct ICLAPI {
    typealias Handler = @Sendable (Request, SandboxContext, Caller) async throws -> Response

    let group: RouterGroup<SandboxContext>
    let auth: ICLAuth

    /// Serves the route `name` of `ICLRoutes.table` (its query part, if any,
    /// is for the client: the handler reads it).
    func on(_ name: String, _ handler: @escaping Handler) {
        guard let route = ICLRoutes.table[name], let method = HTTPRequest.Method(route.method) else {
            preconditionFailure("no iCL route named \(name)")
        }
        let path = route.path.split(separator: "?")[0].dropFirst()
        group.on(RouterPath(String(path)), method: method) { [auth] request, context in
            do {
                let caller = try await auth.authenticate(request)
                return try await handler(request, context, caller)
            } catch let error as ICLError {
                return error.response
            } catch let error as HTTPError {
                throw error
            } catch {
                return ICLError(
                    status: .internalServerError, message: "An internal error occurred during your request!",
                    details: String(describing: error)
                ).response
            }
        }
    }
}
