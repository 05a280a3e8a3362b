import Hummingbird
import LunetJSON
import LunetSandbox

/// The iCONECT sandbox: an OpenID Connect identity provider under
/// `/iconect/identity` and the REST API under `/iconect/api/v1`, with all
/// data in the store it is given (see docs/emulators/iconect.md).
public struct IConectEmulator: SandboxModule {
    public let prefix = "iconect"
    let store: any SandboxStore

    public init(store: any SandboxStore) {
        self.store = store
    }

    public func register(on group: RouterGroup<SandboxContext>) {
        registerIdentity(on: group)
        registerControl(on: group)
        let api = APIRoutes(emulator: self, group: group)
        registerSystem(api)
        registerClients(api)
        registerProjects(api)
        registerFields(api)
        registerPanels(api)
        registerFolders(api)
        registerRecords(api)
        registerFiles(api)
        registerFileStores(api)
        registerJobs(api)
        registerViewsAndTemplates(api)
        api.registerFallback()
    }

    public func reset() async {
        try? await store.removeAll()
    }

    public func seed(_ name: String) async throws {
        guard name == "demo" else { throw UnknownSeed(name) }
        try await store.write { tx in try DemoData.load(into: tx) }
    }
}

/// What a client needs to sign in to the sandbox. The users and the OAuth
/// client are built in (not data), so they survive `reset()`.
public struct IConectSandboxCredentials: Sendable, Equatable {
    public var clientID: String
    /// Optional: the sandbox client is public (PKCE), but a secret sent
    /// with it must be this one.
    public var clientSecret: String
    public var username: String
    public var password: String
    public var scope: String
}

extension IConectEmulator {
    /// The administrator every demo object belongs to.
    public static let sandboxCredentials = IConectSandboxCredentials(
        clientID: "lunet-sandbox", clientSecret: "lunet-sandbox-secret",
        username: "sandbox", password: "sandbox-password", scope: "openid iconect_api")

    /// A read-only user: every request other than GET answers 403.
    public static let sandboxReviewerCredentials = IConectSandboxCredentials(
        clientID: "lunet-sandbox", clientSecret: "lunet-sandbox-secret",
        username: "reviewer", password: "reviewer-password", scope: "openid iconect_api")

    /// Redirect URIs are accepted on any loopback host and port (RFC 8252),
    /// so `lunet login` can listen on a free port; this one is an example.
    public static let sandboxRedirectURI = "http://127.0.0.1:8976/callback"
}
