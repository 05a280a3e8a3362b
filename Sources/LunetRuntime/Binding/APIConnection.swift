import CLuaShim
import Foundation
import LunetBridge
import LunetJSON

/// A connection to one API, as Lua sees it. The Lua surfaces in
/// stdlib/lunet/<api>.lua wrap it; its methods are the shared primitives:
///
///     conn:request{ method=, path=, query=, body=, form=, headers= } → { status=, headers=, body= }
///     conn:_call(route, params, opts)            → decoded body (nil when empty), status
///     conn:_download(route, params, path, opts)  → { status=, bytes=, path= }
///     conn:_upload(route, params, parts, opts)   → decoded body, status
///     conn:_upload_chunks(route, params, path, opts) → lunet.ChunkedUpload
///
/// `route` names an entry of the API's route table, `params` fills its
/// {placeholders}; `opts` takes query, body (a Lua value sent as JSON), text
/// (a raw text body), form, headers, raw = true (the body as a string, not
/// decoded), and retry = "safe" for requests that may be re-sent (upload
/// chunks). Every call waits through `LuaCall.await`: other tasks run
/// meanwhile, and failures raise a lunet.Error.
public final class APIConnection {
    public let service: String
    public let client: APIClient
    public let routes: RouteTable
    public let profile: String?

    init(service: String, client: APIClient, routes: RouteTable, profile: String?) {
        self.service = service
        self.client = client
        self.routes = routes
        self.profile = profile
    }

    public static let luaClass = LuaClass<APIConnection>("lunet.Connection", display: "connection") { c in
        c.method("request") { conn, call in try conn.request(call) }
        c.method("_call") { conn, call in try conn.callRoute(call) }
        c.method("_download") { conn, call in try conn.download(call) }
        c.method("_upload") { conn, call in try conn.upload(call) }
        c.method("_upload_chunks") { conn, call in try conn.uploadChunks(call) }
        c.property("service") { .string(LuaString($0.service)) }
        c.property("url") { .string(LuaString($0.client.baseURL.absoluteString)) }
        c.property("profile") { $0.profile.map { .string(LuaString($0)) } ?? .nil }
        c.tostring { conn in
            "<\(conn.service) connection \(conn.client.baseURL.absoluteString)"
                + (conn.profile.map { " profile=\($0)" } ?? "") + ">"
        }
    }

    static let requestOptions: Set<String> = ["query", "body", "text", "form", "headers", "retry", "raw"]

    // MARK: conn:request{…}

    func request(_ call: LuaCall) throws -> Int32 {
        let o = try call.options(1, allowed: Self.requestOptions.union(["method", "path"]))
        guard let path = try o.string("path") else { throw call.error("option 'path' is required") }
        let method = HTTPRequest.Method(rawValue: try o.string("method") ?? "GET")
        let request = try buildRequest(call, method, path, o)
        let client = self.client
        let raw = try o.bool("raw") ?? false
        return try call.await({ try await client.send(request) }) { call, response in
            let L = call.L
            lua_createtable(L, 0, 3)
            lua_pushstring(L, "status")
            lua_pushinteger(L, lua_Integer(response.status))
            lua_rawset(L, -3)
            lua_pushstring(L, "headers")
            lua_createtable(L, 0, Int32(response.headers.fields.count))
            for field in response.headers.fields {
                lua_pushstring(L, field.name.lowercased())
                lua_pushstring(L, field.value)
                lua_rawset(L, -3)
            }
            lua_rawset(L, -3)
            lua_pushstring(L, "body")
            try Self.pushBody(call, response, raw: raw)
            lua_rawset(L, -3)
            return 1
        }
    }

    // MARK: conn:_call(route, params, opts)

    func callRoute(_ call: LuaCall) throws -> Int32 {
        let (route, path) = try resolveRoute(call)
        let o = try call.options(3, allowed: Self.requestOptions)
        let request = try buildRequest(call, route.method, path, o)
        let client = self.client
        let raw = try o.bool("raw") ?? false
        return try call.await({ try await client.send(request) }) { call, response in
            try Self.pushBody(call, response, raw: raw)
            call.pushInteger(Int64(response.status))
            return 2
        }
    }

    // MARK: conn:_download(route, params, path, opts)

    func download(_ call: LuaCall) throws -> Int32 {
        let (route, path) = try resolveRoute(call)
        let target = try call.string(3)
        let o = try call.options(4, allowed: Self.requestOptions)
        var request = try buildRequest(call, route.method, path, o)
        // Downloads may redirect to storage on another host (CoreData):
        // follow, dropping the credentials there.
        request.redirects = .follow()
        let client = self.client
        let prepared = request
        return try call.await({ try await client.download(prepared, to: target) }) { call, response in
            let L = call.L
            lua_createtable(L, 0, 3)
            lua_pushstring(L, "status")
            lua_pushinteger(L, lua_Integer(response.status))
            lua_rawset(L, -3)
            lua_pushstring(L, "path")
            lua_pushstring(L, target)
            lua_rawset(L, -3)
            lua_pushstring(L, "bytes")
            let size = (try? FileManager.default.attributesOfItem(atPath: target)[.size] as? Int) ?? 0
            lua_pushinteger(L, lua_Integer(size))
            lua_rawset(L, -3)
            return 1
        }
    }

    // MARK: conn:_upload(route, params, parts, opts)

    /// parts: an array of { name=, value= } fields and
    /// { name=, path=, filename=, content_type=, offset=, length= } files
    /// (a byte range of the file when offset/length are given: upload
    /// chunks are streamed from disk, never loaded).
    func upload(_ call: LuaCall) throws -> Int32 {
        let (route, path) = try resolveRoute(call)
        try call.table(3)
        let parts = try readParts(call, call.index(3))
        let o = try call.options(4, allowed: Self.requestOptions)
        var request = try buildRequest(call, route.method, path, o)
        request.body = .multipart(Multipart(parts))
        request.timeout = nil
        let client = self.client
        let prepared = request
        return try call.await({ try await client.send(prepared) }) { call, response in
            try Self.pushBody(call, response, raw: false)
            call.pushInteger(Int64(response.status))
            return 2
        }
    }

    // MARK: conn:_upload_chunks(route, params, path, opts)

    /// A chunked upload of the file at `path` to `route` (see
    /// `ChunkedUploadHandle`): opts take chunk_size (required), filename,
    /// content_type, query, headers, label (of the progress line) and
    /// progress_bar = false. Each chunk adds `chunk_index` and `chunk_count`
    /// to the query. Sends nothing yet.
    func uploadChunks(_ call: LuaCall) throws -> Int32 {
        let (route, path) = try resolveRoute(call)
        let file = try call.string(3)
        let o = try call.options(
            4, allowed: ["chunk_size", "filename", "content_type", "query", "headers", "label", "progress_bar"])
        guard let chunkSize = try o.integer("chunk_size"), chunkSize > 0 else {
            throw call.error("option 'chunk_size' must be a positive integer (bytes)")
        }
        var template = try buildRequest(call, route.method, path, o)
        template.retry = .safe
        let prepared = template
        let upload: ChunkedUpload
        do {
            upload = try ChunkedUpload(
                client: client, path: file, chunkSize: chunkSize, filename: try o.string("filename"),
                contentType: try o.string("content_type") ?? "application/octet-stream"
            ) { index, count in
                var request = prepared
                request.query += [QueryItem("chunk_index", String(index)), QueryItem("chunk_count", String(count))]
                return request
            }
        } catch let error as ChunkedUploadError {
            throw call.error(error.description)
        }
        let bar = (try o.bool("progress_bar") ?? true) && ChunkedUploadProgress.terminal
        let progress = ChunkedUploadProgress(
            label: try o.string("label") ?? upload.filename, total: upload.plan.size, enabled: bar)
        call.push(ChunkedUploadHandle(upload: upload, progress: progress), as: ChunkedUploadHandle.luaClass)
        return 1
    }

    // MARK: Reading Lua arguments (on the Lua thread, before waiting)

    private func resolveRoute(_ call: LuaCall) throws -> (Route, String) {
        let name = try call.string(1)
        guard let route = routes[name] else { throw call.error("unknown route '\(name)'") }
        var params: [String: String] = [:]
        if !call.isNoneOrNil(2) {
            try call.table(2)
            try forEachField(call, call.index(2)) { key, L in params[key] = try Self.scalarText(call, L, "params.\(key)") }
        }
        do {
            return (route, try route.expand(params))
        } catch {
            throw call.error(error.description)
        }
    }

    private func buildRequest(_ call: LuaCall, _ method: HTTPRequest.Method, _ path: String, _ o: LuaOptions) throws
        -> HTTPRequest
    {
        let L = call.L
        var query: [QueryItem] = []
        if o.push("query") == LUA_TTABLE {
            try forEachField(call, lua_gettop(L)) { key, L in
                if lua_type(L, -1) == LUA_TTABLE {
                    let n = lua_rawlen(L, -1)
                    for i in 0..<Int(n) {
                        lua_rawgeti(L, -1, lua_Integer(i + 1))
                        query.append(QueryItem(key, try Self.scalarText(call, L, "query.\(key)[\(i + 1)]")))
                        lunet_pop(L, 1)
                    }
                } else {
                    query.append(QueryItem(key, try Self.scalarText(call, L, "query.\(key)")))
                }
            }
        } else if lua_type(L, -1) != LUA_TNIL {
            throw call.error("option 'query' must be a table")
        }
        lunet_pop(L, 1)
        query.sort { $0.name < $1.name }

        var headers = HeaderFields()
        if o.push("headers") == LUA_TTABLE {
            try forEachField(call, lua_gettop(L)) { key, L in headers[key] = try Self.scalarText(call, L, "headers.\(key)") }
        }
        lunet_pop(L, 1)

        var body = HTTPBody.none
        if o.push("body") != LUA_TNIL {
            do { body = .json(try LuaJSON.encode(L, at: lua_gettop(L))) } catch {
                throw call.error("option 'body': \(error)")
            }
        }
        lunet_pop(L, 1)
        if let text = try o.string("text") {
            body = .bytes(Array(text.utf8), contentType: "text/plain; charset=utf-8")
        }
        if o.push("form") == LUA_TTABLE {
            var fields: [QueryItem] = []
            try forEachField(call, lua_gettop(L)) { key, L in fields.append(QueryItem(key, try Self.scalarText(call, L, "form.\(key)"))) }
            body = .form(fields.sorted { $0.name < $1.name })
        }
        lunet_pop(L, 1)

        var request = client.request(method, path, query: query, body: body, headers: headers)
        switch try o.string("retry") {
        case nil: break
        case "safe": request.retry = .safe
        case let other?: throw call.error("option 'retry' must be \"safe\", got '\(other)'")
        }
        return request
    }

    private func readParts(_ call: LuaCall, _ index: Int32) throws -> [Multipart.Part] {
        let L = call.L
        var parts: [Multipart.Part] = []
        let n = lua_rawlen(L, index)
        for i in 1...max(1, Int(n)) where n > 0 {
            guard lua_rawgeti(L, index, lua_Integer(i)) == LUA_TTABLE else {
                throw call.error("parts[\(i)] must be a table")
            }
            let part = lua_gettop(L)
            func field(_ key: String) -> String? {
                lua_pushstring(L, key)
                defer { lunet_pop(L, 1) }
                guard lua_rawget(L, part) != LUA_TNIL else { return nil }
                var length = 0
                guard let p = lua_tolstring(L, -1, &length) else { return nil }
                return String(decoding: UnsafeRawBufferPointer(start: p, count: length), as: UTF8.self)
            }
            guard let name = field("name") else { throw call.error("parts[\(i)] needs a name") }
            if let path = field("path") {
                let filename = field("filename") ?? (path as NSString).lastPathComponent
                let type = field("content_type") ?? "application/octet-stream"
                var range: Range<Int64>? = nil
                if let offset = field("offset").flatMap({ Int64($0) }), let length = field("length").flatMap({ Int64($0) }) {
                    range = offset..<(offset + length)
                }
                parts.append(.file(name: name, filename: filename, contentType: type, path: path, range: range))
            } else if let value = field("value") {
                parts.append(.field(name: name, value: value))
            } else {
                throw call.error("parts[\(i)] needs a value or a path")
            }
            lunet_pop(L, 1)
        }
        return parts
    }

    /// Call `body` for each string-keyed field of the table at `index`, with
    /// the value on top of the stack.
    private func forEachField(_ call: LuaCall, _ index: Int32, _ body: (String, OpaquePointer) throws -> Void) throws {
        let L = call.L
        let t = lua_absindex(L, index)
        lua_pushnil(L)
        while lua_next(L, t) != 0 {
            guard lua_type(L, -2) == LUA_TSTRING else { throw call.error("table keys must be strings") }
            let key = String(cString: lua_tolstring(L, -2, nil))
            try body(key, L)
            lunet_pop(L, 1)
        }
    }

    private static func scalarText(_ call: LuaCall, _ L: OpaquePointer, _ what: String) throws -> String {
        switch lua_type(L, -1) {
        case LUA_TSTRING:
            var length = 0
            let p = lua_tolstring(L, -1, &length)
            return String(decoding: UnsafeRawBufferPointer(start: p, count: length), as: UTF8.self)
        case LUA_TNUMBER:
            if lua_isinteger(L, -1) != 0 { return String(lua_tointegerx(L, -1, nil)) }
            let d = lua_tonumberx(L, -1, nil)
            return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case LUA_TBOOLEAN:
            return lua_toboolean(L, -1) != 0 ? "true" : "false"
        default:
            throw call.error("\(what) must be a string, number or boolean, got \(LuaCall.typeName(L, -1))")
        }
    }

    /// A response body for Lua: decoded when JSON (straight onto the stack),
    /// nil when empty, else the text.
    static func pushBody(_ call: LuaCall, _ response: HTTPResponse, raw: Bool) throws {
        let L = call.L
        if response.body.isEmpty { lua_pushnil(L); return }
        let isJSON = (response.headers["Content-Type"] ?? "").lowercased().contains("json")
            || response.body.first == UInt8(ascii: "{") || response.body.first == UInt8(ascii: "[")
        if !raw && isJSON {
            do {
                try response.body.withUnsafeBytes { (b: UnsafeRawBufferPointer) throws in try LuaJSON.pushDecoded(L, b) }
                return
            } catch {
                if (response.headers["Content-Type"] ?? "").contains("json") {
                    throw call.error("response of \(response.url.path) is not valid JSON: \(error)")
                }
            }
        }
        response.body.withUnsafeBytes { b in
            _ = lua_pushlstring(L, b.baseAddress?.assumingMemoryBound(to: CChar.self), b.count)
        }
    }
}
