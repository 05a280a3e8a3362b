import CLuaShim
import Foundation
import LunetBridge
import LunetJSON
import LunetRuntime

/// `lunet.icl`: the iCL Portal binding. This file tells the runtime how to
/// connect (options, auth, routes, the sandbox); the Lua surface — content
/// collections, cursors, feeds, batch upserts, content types — is
/// stdlib/lunet/icl.lua, built on the connection primitives.
public enum ICLBinding: APIDefinition {
    public static let service = ServiceName.icl
    public static let api = APIName.icl
    public static let routes = RouteTable(ICLRoutes.table.mapValues { Route($0.method, $0.path) })

    public static func register(in runtime: Runtime) {
        runtime.lua.preload("lunet.icl") { call in
            let L = call.L
            lua_createtable(L, 0, 1)
            lua_pushstring(L, "connect")
            call.pushFunction("icl.connect") { try APIBinding.connect(ICLBinding.self, $0) }
            lua_rawset(L, -3)
            return try Stdlib.run("lunet.icl", in: call, arguments: 1)
        }
    }

    public static func sandboxOptions(_ sandboxURL: String) -> [String: JSONValue] {
        let c = ICLEmulator.sandboxCredentials
        return [
            "url": .string(sandboxURL + "/icl"), "client_id": .string(c.clientID),
            "client_secret": .string(c.clientSecret),
        ]
    }

    /// Auth, in order of preference: a ready `token`; `client_id` +
    /// `client_secret` (client credentials, for service users); `username`
    /// + `password` (password grant).
    public static func makeClient(_ options: ResolvedOptions, _ context: ConnectContext) throws -> APIClient {
        let url = try options.httpURL("url", required: "the portal root, e.g. https://dev.iclportal.com; or ICL_URL")
        let engine = context.engine
        let auth: any AuthProvider
        if let token = options.string("token") {
            auth = HeaderCredential.bearer(token, redactor: engine.redactor)
        } else if let id = options.string("client_id"), let secret = options.string("client_secret") {
            auth = OAuth2Provider(client: tokenClient(url, id, secret, engine), mode: .clientCredentials)
        } else if let user = options.string("username"), let password = options.string("password") {
            auth = OAuth2Provider(
                client: tokenClient(url, options.string("client_id"), nil, engine),
                mode: .password(username: user, password: password))
        } else {
            throw ConfigError(
                "icl: no credentials: give client_id and client_secret, username and password, or token (or ICL_* variables)")
        }
        return APIClient(api: .icl, baseURL: url, engine: engine, auth: auth)
    }

    static func tokenClient(_ url: URL, _ id: String?, _ secret: String?, _ engine: HTTPEngine) -> OAuth2Client {
        let base = url.absoluteString.hasSuffix("/") ? String(url.absoluteString.dropLast()) : url.absoluteString
        return OAuth2Client(
            tokenURL: URL(string: base + ICLRoutes.table["token"]!.path)!, clientID: id, clientSecret: secret,
            api: .icl, engine: engine)
    }
}
