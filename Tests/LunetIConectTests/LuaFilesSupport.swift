import Foundation
import LunetBridge
import LunetJSON
import LunetSandbox
import Testing

@testable import LunetIConect
@testable import LunetRuntime

/// A test-only connect path: the runtime's `APIBinding.connect` with the
/// real `IConectAuth` grants and the real route table, so the files module
/// (stdlib/lunet/iconect_files.lua) and the sign-in run end to end against
/// the emulator before the full binding (lunet.iconect) is merged.
enum TestIConectDefinition: APIDefinition {
    static let service = ServiceName.iconect
    static let api = APIName.iconect
    static let routes = RouteTable(IConectRoutes.table.mapValues { Route($0.method, $0.path) })

    static func sandboxOptions(_ sandboxURL: String) -> [String: JSONValue] { [:] }

    static func makeClient(_ options: ResolvedOptions, _ context: ConnectContext) throws -> APIClient {
        guard let text = options.string("api_url"), let url = URL(string: text) else {
            throw ConfigError("iconect: option 'api_url' is required")
        }
        let auth = try IConectAuth.provider(
            options, context, tokenURL: try IConectAuth.identityURL(options, route: "identity.token"))
        return APIClient(api: .iconect, baseURL: url, engine: context.engine, auth: auth)
    }
}

/// One Lua run in a fresh runtime whose state and credentials live in
/// `home` (XDG_STATE_HOME) and whose config comes from nowhere.
/// `test.iconect` is the connect function; the chunk gets the sandbox's
/// URLs and `home` as `...` (api_url, identity_url, control, H) and returns a JSON text.
func runLua(_ source: String, home: String, server: SandboxServer) async throws -> JSONValue {
    let base = server.baseURL
    let environment = [
        "XDG_STATE_HOME": home + "/state", "XDG_CONFIG_HOME": home + "/config", "HOME": home, "PWD": home,
        "LUNET_CONFIG": "",
    ]
    let text: String = try await LuaThread.run {
        let runtime = Runtime(environment: environment)
        runtime.lua.preload("test.iconect") { call in
            call.pushFunction("test.iconect.connect") { try APIBinding.connect(TestIConectDefinition.self, $0) }
            return 1
        }
        try runtime.lua.load(Array(source.utf8), name: "=test")
        for argument in [base + "/iconect/api/v1", base + "/iconect/identity", base, home] {
            LuaCall(L: runtime.lua.L, name: "main").pushString(argument)
        }
        let count = try runtime.scheduler.run(nargs: 4, waitForAll: true)
        guard count >= 1, case .string(let s) = try LuaValue.read(runtime.lua.L, -count) else { return "null" }
        return s.description
    }
    return try JSONValue.parse(Array(text.utf8))
}

/// The Lua prelude of the file tests: a password-grant connection and the
/// files and file stores of demo project 1.
let filesPrelude = """
    local api_url, identity_url, control, H = ...
    local json = require "lunet.json"
    local connect = require "test.iconect"
    local files_module = require "lunet.iconect_files"
    local conn = connect{ api_url = api_url, identity_url = identity_url, client_id = "lunet-sandbox",
      grant = "password", username = "sandbox", password = "sandbox-password" }
    local project = { _conn = conn, id = 1 }
    local files, stores = files_module.native(project), files_module.filestores(project)
    local http = require "lunet.http"
    local function faults(spec)
      local r = conn:request{ method = "PUT", path = control .. "/_sandbox/faults", text = spec }
      assert(r.status == 200, "faults: " .. tostring(r.status))
    end

    """

/// Sandbox requests for `path` (chunk indexes of uploads), from the log.
func chunkIndexes(_ server: SandboxServer, path: String) async throws -> [Int] {
    let reply = try await IConectClient(base: server.baseURL).send(.GET, url: server.baseURL + "/_sandbox/requests")
    return (reply.json["requests"]?.array ?? []).compactMap { entry -> Int? in
        guard entry["path"]?.string == path, entry["method"]?.string == "POST" else { return nil }
        let query = entry["query"]?.string ?? ""
        guard let range = query.range(of: "chunk_index=") else { return nil }
        return Int(query[range.upperBound...].prefix { $0.isNumber })
    }
}

func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}
