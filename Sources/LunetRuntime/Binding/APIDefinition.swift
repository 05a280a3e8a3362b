import CLuaShim
import Foundation
import LunetBridge
import LunetJSON

/// What an API binding tells the runtime about its API; everything else
/// (option resolution, sandbox routing, requests, errors, tracing) is shared.
public protocol APIDefinition {
    /// The config service and module name: `lunet.<service>`.
    static var service: ServiceName { get }
    static var api: APIName { get }
    /// All routes, in one table (the API's Routes file).
    static var routes: RouteTable { get }
    /// Options that point a connection at the sandbox mounted at `sandboxURL`
    /// (this API's prefix, the emulator's fixed credentials). They override
    /// the profile, the environment and explicit options alike.
    static func sandboxOptions(_ sandboxURL: String) -> [String: JSONValue]
    /// Build the API client (base URL, auth, error shape) from resolved
    /// options; throw `ConfigError` naming what is missing or wrong.
    static func makeClient(_ options: ResolvedOptions, _ context: ConnectContext) throws -> APIClient
}

public struct ConnectContext {
    public let engine: HTTPEngine
    public let credentials: CredentialStore
    /// The profile in use (credentials are stored per service and profile).
    public let profile: String
}

public enum APIBinding {
    /// With --sandbox, a connection uses the sandbox's location and
    /// credentials and nothing else that could point elsewhere: no profile
    /// or environment URL, token, key or password is kept (so a real
    /// credential never reaches the sandbox); settings like timeouts are.
    static func sandboxed(_ options: ResolvedOptions, _ sandbox: [String: JSONValue]) -> ResolvedOptions {
        var out = ResolvedOptions(service: options.service, profile: "sandbox")
        let schema = options.service.schema
        for (name, option) in options.options {
            let spec = schema.option(name)
            let pointsSomewhere = name.hasSuffix("url") || name == "region" || name == "routes" || name == "grant"
            if spec?.isSecret == true || pointsSomewhere || ["user", "username", "client_id"].contains(name) { continue }
            out.options[name] = option
        }
        for (name, value) in sandbox {
            out.options[name] = ResolvedOption(value: value, origin: .explicit, isSecret: schema.option(name)?.isSecret ?? false)
        }
        return out
    }

    /// `X.connect(NAME)`, `X.connect{ profile = NAME, … }`, `X.connect()`:
    /// resolve options (explicit > environment > profile; the sandbox over
    /// all of them), build the client and push the connection.
    public static func connect<D: APIDefinition>(_ definition: D.Type, _ call: LuaCall) throws -> Int32 {
        let L = call.L
        var explicit: [String: JSONValue] = [:]
        var profile: String? = nil
        switch call.type(1) {
        case LUA_TNONE, LUA_TNIL: break
        case LUA_TSTRING: profile = try call.string(1)
        case LUA_TTABLE:
            let value: JSONValue
            do { value = try LuaJSON.jsonValue(L, at: call.index(1)) } catch {
                throw call.argumentError(1, "options must be JSON-like: \(error)")
            }
            for (key, option) in value.object ?? [:] {
                if key == "profile" {
                    guard let name = option.string else { throw call.error("option 'profile' must be a string") }
                    profile = name
                } else {
                    explicit[key] = option
                }
            }
        default:
            throw call.typeError(1, expected: "profile name or table of options")
        }
        guard let config = call.state.config, let bindings = call.state.bindings else {
            throw call.error("connections need a lunet runtime")
        }
        var resolved: ResolvedOptions
        do {
            resolved = try config.resolve(service: D.service, profile: profile, explicit: explicit)
        } catch {
            throw call.error(error.description)
        }
        if let sandbox = bindings.sandboxURL {
            resolved = sandboxed(resolved, D.sandboxOptions(sandbox))
        }
        var routes = D.routes
        if let overrides = resolved["routes"]?.value.object {
            var specs: [String: String] = [:]
            for (name, spec) in overrides {
                guard let text = spec.string else { throw call.error("routes.\(name) must be a string \"METHOD /path\"") }
                specs[name] = text
            }
            do { routes = try routes.overriding(with: specs) } catch { throw call.error(error.description) }
        }
        let context = ConnectContext(
            engine: bindings.engine, credentials: bindings.credentials, profile: resolved.profile ?? "default")
        var client: APIClient
        do {
            client = try D.makeClient(resolved, context)
            try applyLimits(resolved, to: &client)
        } catch let error as ConfigError {
            throw call.error(error.description)
        }
        let connection = APIConnection(
            service: D.service.rawValue, client: client, routes: routes,
            profile: bindings.sandboxURL == nil ? resolved.profile : "sandbox")
        call.push(connection, as: APIConnection.luaClass)
        return 1
    }

    /// Every service's `timeout` (seconds for one attempt) and `retries`
    /// (retries after the first attempt) options.
    static func applyLimits(_ options: ResolvedOptions, to client: inout APIClient) throws {
        let service = options.service.rawValue
        if let value = options["timeout"]?.value {
            let seconds: Double? = switch value {
            case .integer(let i): Double(i)
            case .double(let d): d
            default: nil
            }
            guard let seconds, seconds > 0, seconds <= 86400 else {
                throw ConfigError("\(service): option 'timeout' must be a number of seconds above 0, got \(value.describedForMessage)")
            }
            client.timeout = .milliseconds(Int64((seconds * 1000).rounded()))
        }
        if let value = options["retries"]?.value {
            guard case .integer(let n) = value, n >= 0, n <= 100 else {
                throw ConfigError("\(service): option 'retries' must be an integer from 0 to 100, got \(value.describedForMessage)")
            }
            client.retries = Int(n)
        }
    }
}
