import CLuaShim
import Foundation
import LunetBridge
import LunetJSON
import LunetRuntime

/// `lunet.coredata`: the CoreData ECM binding. This file tells the runtime
/// how to connect (options, the `apikey USER:KEY` header, routes, the
/// sandbox); the Lua surface — resources, cursors, the change feed,
/// downloads and uploads — is stdlib/lunet/coredata.lua.
public enum CoreDataBinding: APIDefinition {
    public static let service = ServiceName.coredata
    public static let api = APIName.coredata
    public static let routes = RouteTable(CoreDataRoutes.table.mapValues { Route($0.method, $0.path) })

    public static func register(in runtime: Runtime) {
        runtime.lua.preload("lunet.coredata") { call in
            let L = call.L
            lua_createtable(L, 0, 1)
            lua_pushstring(L, "connect")
            call.pushFunction("coredata.connect") { try APIBinding.connect(CoreDataBinding.self, $0) }
            lua_rawset(L, -3)
            return try Stdlib.run("lunet.coredata", in: call, arguments: 1)
        }
    }

    public static func sandboxOptions(_ sandboxURL: String) -> [String: JSONValue] {
        let c = CoreDataEmulator.sandboxCredentials
        return ["url": .string(sandboxURL + "/coredata"), "user": .string(c.user), "key": .string(c.key)]
    }

    /// `url` is `COREDATA_BASE_URL` (the API paths `/api/v2/…` are below
    /// it); `user` and `key` make `Authorization: apikey USER:KEY`.
    public static func makeClient(_ options: ResolvedOptions, _ context: ConnectContext) throws -> APIClient {
        let url = try options.httpURL("url", required: "COREDATA_BASE_URL, e.g. https://home.coredata.is")
        guard let user = options.string("user"), !user.isEmpty else {
            throw ConfigError("coredata: option 'user' is required (the API user; or API_USER)")
        }
        guard let key = options.string("key"), !key.isEmpty else {
            throw ConfigError("coredata: option 'key' is required (the API key; or API_KEY)")
        }
        let engine = context.engine
        let auth = CoreDataKey(
            credential: HeaderCredential.apiKey(user: user, key: key, redactor: engine.redactor), base: url)
        return APIClient(api: .coredata, baseURL: url, engine: engine, auth: auth)
    }
}
