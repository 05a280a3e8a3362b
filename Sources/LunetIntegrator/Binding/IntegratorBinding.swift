import CLuaShim
import Foundation
import LunetBridge
import LunetJSON
import LunetRuntime

/// `lunet.integrator`: the integrator.io (Celigo) binding. This file tells
/// the runtime how to connect (a bearer token; `region` or `url`; the
/// sandbox); the Lua surface — connections, exports, imports, flows, jobs,
/// state — is stdlib/lunet/integrator.lua, built on the connection
/// primitives and the few helpers in IntegratorCore.swift.
public enum IntegratorBinding: APIDefinition {
    public static let service = ServiceName.integrator
    public static let api = APIName.integrator
    public static let routes = RouteTable(IntegratorRoutes.table.mapValues { Route($0.method, $0.path) })

    /// The two tenants (api-facts.md §4): a token works only in its own.
    public static let regions = [
        "us": "https://api.integrator.io/v1",
        "eu": "https://api.eu.integrator.io/v1",
    ]

    public static func register(in runtime: Runtime) {
        runtime.lua.preload("lunet.integrator") { call in
            IntegratorCore.push(call)
            return try Stdlib.run("lunet.integrator", in: call, arguments: 1)
        }
    }

    public static func sandboxOptions(_ sandboxURL: String) -> [String: JSONValue] {
        ["url": .string(sandboxURL + "/integrator/v1"), "token": .string(IntegratorEmulator.sandboxCredentials.token)]
    }

    public static func makeClient(_ options: ResolvedOptions, _ context: ConnectContext) throws -> APIClient {
        // The one given with more weight wins (explicit > environment >
        // profile): an explicit region beats INTEGRATOR_URL; at equal
        // weight, url wins.
        var urlText = options.string("url")
        if let url = options["url"], let region = options["region"], rank(region.origin) > rank(url.origin) {
            urlText = nil
        }
        let url = try baseURL(url: urlText, region: options.string("region"))
        guard let token = options.string("token"), !token.isEmpty else {
            throw ConfigError("integrator: option 'token' is required (an integrator.io API token; or INTEGRATOR_TOKEN)")
        }
        let auth = HeaderCredential.bearer(token, redactor: context.engine.redactor)
        return APIClient(api: .integrator, baseURL: url, engine: context.engine, auth: auth)
    }

    static func rank(_ origin: OptionOrigin) -> Int {
        switch origin {
        case .explicit: 3
        case .environment: 2
        case .profile: 1
        }
    }

    /// `url` wins over `region`; a `url` without a path gets `/v1`; no
    /// `url` and no `region` means the US tenant.
    static func baseURL(url text: String?, region: String?) throws -> URL {
        if let text {
            guard var components = URLComponents(string: text), components.scheme == "https" || components.scheme == "http",
                components.host?.isEmpty == false
            else {
                throw ConfigError("integrator: option 'url' must be an http(s) URL such as https://api.integrator.io/v1, got '\(text)'")
            }
            if components.path.isEmpty || components.path == "/" { components.path = "/v1" }
            guard let url = components.url else { throw ConfigError("integrator: option 'url' is not a valid URL: '\(text)'") }
            return url
        }
        let name = (region ?? "us").lowercased()
        guard let base = regions[name], let url = URL(string: base) else {
            throw ConfigError(
                "integrator: option 'region' must be one of \(regions.keys.sorted().joined(separator: ", ")), got '\(region ?? "")'")
        }
        return url
    }
}
