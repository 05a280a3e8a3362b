import CLuaShim
import Foundation
import LunetBridge
import LunetJSON
import LunetRuntime

/// `lunet.iconect`: the iCONECT binding. This file tells the runtime how to
/// connect (two base URLs, auth, routes, the sandbox); the Lua surface —
/// clients, projects, records, jobs, enumerations — is
/// stdlib/lunet/iconect.lua, built on the connection primitives.
public enum IConectBinding: APIDefinition {
    public static let service = ServiceName.iconect
    public static let api = APIName.iconect
    public static let routes = RouteTable(IConectRoutes.table.mapValues { Route($0.method, $0.path) })

    public static func register(in runtime: Runtime) {
        runtime.lua.preload("lunet.iconect") { call in
            IConectLuaCore.push(call)
            return try Stdlib.run("lunet.iconect", in: call, arguments: 1)
        }
    }

    /// The emulator's administrator with the password grant: identity at
    /// `<sandbox>/iconect/identity`, the API at `<sandbox>/iconect/api/v1`.
    public static func sandboxOptions(_ sandboxURL: String) -> [String: JSONValue] {
        let c = IConectEmulator.sandboxCredentials
        let base = sandboxURL + "/iconect"
        return [
            "api_url": .string(base + IConectRoutes.sandboxAPIBase),
            "identity_url": .string(base + IConectRoutes.sandboxIdentityBase),
            "client_id": .string(c.clientID), "client_secret": .string(c.clientSecret), "grant": "password",
            "username": .string(c.username), "password": .string(c.password), "scope": .string(c.scope),
        ]
    }

    /// The API client on `api_url`; its credentials come from
    /// `IConectAuth.provider` with the token endpoint on `identity_url`.
    /// A ready `token` (without a `grant`, as IConectAuth's rule says) needs
    /// no `identity_url`.
    public static func makeClient(_ options: ResolvedOptions, _ context: ConnectContext) throws -> APIClient {
        let apiURL = try baseURL(options, "api_url", example: "https://host/api/v1; or ICONECT_API_URL")
        let auth: any AuthProvider
        if options.string("grant") == nil, let token = options.string("token") {
            auth = HeaderCredential.bearer(token, redactor: context.engine.redactor)
        } else {
            auth = try IConectAuth.provider(options, context, tokenURL: try identityURL("identity.token", options))
        }
        return APIClient(api: .iconect, baseURL: apiURL, engine: context.engine, auth: auth)
    }

    /// The absolute URL of an identity route (`identity.token`,
    /// `identity.authorize`): `identity_url` plus the route's path, after
    /// the profile's `routes` overrides.
    public static func identityURL(_ name: String, _ options: ResolvedOptions) throws -> URL {
        precondition(IConectRoutes.isIdentity(name), "\(name) is not an identity route")
        let base = try baseURL(options, "identity_url", example: "https://host/identity; or ICONECT_IDENTITY_URL")
        guard let route = try effectiveRoutes(options)[name] else { throw ConfigError("iconect: no route named \(name)") }
        var text = base.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        guard let url = URL(string: text + route.path) else {
            throw ConfigError("iconect: route \(name) '\(route.path)' does not make a URL with identity_url")
        }
        return url
    }

    /// The route table with the profile's `routes = { name = "METHOD /path" }`.
    static func effectiveRoutes(_ options: ResolvedOptions) throws -> RouteTable {
        guard let overrides = options["routes"]?.value.object else { return routes }
        var specs: [String: String] = [:]
        for (name, spec) in overrides {
            guard let text = spec.string else { throw ConfigError("iconect: routes.\(name) must be a string \"METHOD /path\"") }
            specs[name] = text
        }
        do { return try routes.overriding(with: specs) } catch { throw ConfigError("iconect: \(error.description)") }
    }

    static func baseURL(_ options: ResolvedOptions, _ name: String, example: String) throws -> URL {
        try options.httpURL(name, required: "e.g. " + example)
    }
}
