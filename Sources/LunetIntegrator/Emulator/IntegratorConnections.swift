import Hummingbird
import LunetJSON
import LunetSandbox

/// `/v1/connections`: list (Link paging), create (201), get, replace (PUT),
/// delete (204). Secrets are stored as given and answered as `******`; a PUT
/// that sends `******` back keeps the stored secret.
extension IntegratorEmulator {
    static let connections = "connections"
    static let connectionTypes: Set<String> = [
        "rest", "http", "netsuite", "salesforce", "ftp", "s3", "as2", "wrapper", "mongodb", "rdbms", "dynamodb", "jdbc",
    ]
    static let secretFields: Set<String> = [
        "password", "bearerToken", "token", "clientSecret", "accessToken", "refreshToken", "apiKey", "secretAccessKey",
        "privateKey", "passphrase", "consumerSecret", "tokenSecret",
    ]
    static let mask = "******"

    func registerConnections(on v1: RouterGroup<SandboxContext>) {
        let store = self.store
        v1.get("connections") { request, _ in
            await Self.answer {
                let page = try IntegratorPage(request)
                let all = try await store.scan(Self.connections).map { Self.masked($0.body) }
                return page.response(request, all)
            }
        }
        v1.post("connections") { request, _ in
            await Self.answer {
                let fields = try Self.validConnection(try await IntegratorHTTP.object(of: request))
                let now = IntegratorHTTP.nowMilliseconds()
                var connection: JSONObject = [
                    "_id": .string(IntegratorHTTP.newID()), "createdAt": .string(IntegratorTime.format(now)),
                    "lastModified": .string(IntegratorTime.format(now)),
                ]
                for (key, value) in fields { connection[key] = value }
                try await store.put(Self.connections, id: connection["_id"]!.string!, .object(connection))
                return SandboxJSON.response(Self.masked(.object(connection)), status: .created)
            }
        }
        v1.get("connections/:id") { request, context in
            let id = try context.parameters.require("id")
            return await Self.answer {
                var connection = try await store.read { try Self.connection($0, id) }
                connection["queues"] = [["name": .string(id), "size": 0]]
                return SandboxJSON.response(Self.masked(.object(connection)))
            }
        }
        v1.put("connections/:id") { request, context in
            let id = try context.parameters.require("id")
            return await Self.answer {
                let fields = try Self.validConnection(try await IntegratorHTTP.object(of: request))
                let connection = try await store.write { tx in
                    let old = try Self.connection(tx, id)
                    var connection: JSONObject = [
                        "_id": .string(id), "createdAt": old["createdAt"] ?? .null,
                        "lastModified": .string(IntegratorTime.format(IntegratorHTTP.nowMilliseconds())),
                    ]
                    for (key, value) in fields { connection[key] = Self.keepingSecrets(value, old[key]) }
                    try tx.put(Self.connections, id: id, .object(connection))
                    return connection
                }
                return SandboxJSON.response(Self.masked(.object(connection)))
            }
        }
        v1.delete("connections/:id") { request, context in
            let id = try context.parameters.require("id")
            return await Self.answer {
                guard try await store.delete(Self.connections, id: id) else {
                    throw IntegratorError.notFound("Connection", id)
                }
                return Response(status: .noContent)
            }
        }
    }

    static func connection(_ tx: any SandboxTransaction, _ id: String) throws -> JSONObject {
        guard let connection = try tx.get(connections, id: id)?.object else {
            throw IntegratorError.notFound("Connection", id)
        }
        return connection
    }

    /// The writable fields of a connection model; 422 naming the field when
    /// `type` is missing or unknown, or a REST/HTTP model has no `baseURI`.
    static func validConnection(_ body: JSONObject) throws -> JSONObject {
        var fields = body
        for key in ["_id", "createdAt", "lastModified", "queues"] { fields[key] = nil }
        guard let type = fields["type"] else { throw IntegratorError.missing("type") }
        guard let name = type.string, connectionTypes.contains(name) else {
            throw IntegratorError.invalid(
                "type", "`type` must be one of \(connectionTypes.sorted().joined(separator: ", ")).")
        }
        if let given = fields["name"], given.string == nil {
            throw IntegratorError.invalid("name", "`name` must be a string.")
        }
        if name == "rest" || name == "http" {
            guard let settings = fields[name] else { throw IntegratorError.missing(name) }
            guard settings.object != nil else { throw IntegratorError.invalid(name, "`\(name)` must be an object.") }
            guard settings["baseURI"]?.string?.isEmpty == false else {
                throw IntegratorError.missing("\(name).baseURI")
            }
        }
        return fields
    }

    /// Secrets replaced by `******`, at any depth.
    static func masked(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            return .object(
                JSONObject(
                    object.map { key, value in
                        if secretFields.contains(key), let text = value.string, !text.isEmpty {
                            return (key, .string(mask))
                        }
                        return (key, masked(value))
                    }))
        case .array(let items):
            return .array(items.map(masked))
        default:
            return value
        }
    }

    /// `new`, with every `******` replaced by the stored secret it stands for.
    static func keepingSecrets(_ new: JSONValue, _ old: JSONValue?) -> JSONValue {
        switch new {
        case .string(mask): return old ?? new
        case .object(let object):
            return .object(JSONObject(object.map { key, value in (key, keepingSecrets(value, old?[key])) }))
        default: return new
        }
    }
}
