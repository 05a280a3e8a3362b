import LunetJSON
import LunetSandbox

/// One paged virtual export ("search"), kept in `searches/<searchId>`.
///
/// Each answer carries the state for the next page, signed with the server's
/// secret. The next request must send that state back unchanged: a modified
/// state (bad `sig`), one from another connection or export model, a state
/// marked `done`, or an older state is a 400. Sending the state of the
/// previous request again (a client retrying after a lost answer) repeats
/// that page and its next state, so retries are safe.
struct IntegratorPagedExport {
    static let collection = "searches"

    var searchID: String
    var connection: String
    var resource: String
    var pageSize: Int
    var totalRecords: Int
    var totalPages: Int
    /// The page this request gets (1-based).
    var pageIndex: Int
    /// The next state already issued for this page, when it is a retry.
    var issued: JSONValue?

    static func start(_ tx: any SandboxTransaction, connection: String, model: JSONValue, pageSize: Int) throws -> Self
    {
        let resource = IntegratorData.exportResource(model)
        let total = try IntegratorData.count(tx, connection, resource)
        let number = try tx.nextSequence(collection)
        let search = Self(
            searchID: "SANDBOX_\(number)_" + IntegratorHTTP.newID(), connection: connection, resource: resource,
            pageSize: pageSize, totalRecords: total, totalPages: max(1, (total + pageSize - 1) / pageSize), pageIndex: 1
        )
        try tx.put(
            collection, id: search.searchID,
            [
                "connection": .string(connection), "resource": .string(resource), "model": .string(fingerprint(model)),
                "pageSize": .integer(Int64(pageSize)), "totalRecords": .integer(Int64(total)),
                "totalPages": .integer(Int64(search.totalPages)), "next": 1, "lastState": nil,
            ])
        return search
    }

    static func resume(_ tx: any SandboxTransaction, connection: String, model: JSONValue, state: JSONValue) throws
        -> Self
    {
        guard let searchID = state["searchId"]?.string, let index = state["pageIndex"]?.integer,
            let size = state["pageSize"]?.integer, let pages = state["totalPages"]?.integer,
            let total = state["totalRecords"]?.integer, let done = state["done"]?.bool,
            let issuedAt = state["issuedAt"]?.integer, let sig = state["sig"]?.string
        else {
            throw rejected("`pagedExportState` must be the object the previous answer returned, unchanged.")
        }
        let expected = try signature(tx, searchID, index, size, pages, total, done, issuedAt, connection)
        guard sig == expected else { throw rejected("`pagedExportState` was modified: its signature does not match.") }
        guard let search = try tx.get(collection, id: searchID), search["connection"]?.string == connection else {
            throw rejected("`pagedExportState` belongs to no paged export of this connection.")
        }
        guard search["model"]?.string == fingerprint(model) else {
            throw rejected("`export` differs from the export model this paged export started with.")
        }
        guard !done else { throw rejected("This paged export is complete (`done` is true); start a new one.") }
        let next = search["next"]?.integer ?? 0
        var resumed = Self(
            searchID: searchID, connection: connection, resource: search["resource"]?.string ?? "records",
            pageSize: Int(size), totalRecords: Int(total), totalPages: Int(pages), pageIndex: Int(index))
        if index == next - 1, let last = search["lastState"], last != .null {
            resumed.issued = last
        } else if index != next {
            throw rejected("`pagedExportState` is out of order: page \(index) was asked for, page \(next) is next.")
        }
        return resumed
    }

    /// This request's page with the state for the next one, as the answer's
    /// JSON bytes. Reads only the page's rows (of the first `totalRecords`).
    func answer(_ tx: any SandboxTransaction) throws -> [UInt8] {
        let start = min(totalRecords, (pageIndex - 1) * pageSize)
        let page = try IntegratorData.page(
            tx, connection, resource, offset: start, limit: min(pageSize, totalRecords - start))
        var state = issued
        if state == nil {
            let done = pageIndex >= totalPages
            let issuedAt = IntegratorHTTP.nowMilliseconds() / 1000
            let next = Int64(pageIndex + 1)
            let sig = try Self.signature(
                tx, searchID, next, Int64(pageSize), Int64(totalPages), Int64(totalRecords), done, issuedAt, connection)
            state = [
                "searchId": .string(searchID), "pageIndex": .integer(next), "pageSize": .integer(Int64(pageSize)),
                "totalPages": .integer(Int64(totalPages)), "totalRecords": .integer(Int64(totalRecords)),
                "done": .bool(done), "issuedAt": .integer(issuedAt), "sig": .string(sig),
            ]
            guard var search = try tx.get(Self.collection, id: searchID)?.object else {
                throw Self.rejected("`pagedExportState` belongs to no paged export of this connection.")
            }
            search["next"] = .integer(next)
            search["lastState"] = state
            try tx.put(Self.collection, id: searchID, .object(search))
        }
        try IntegratorDebugLog.record(
            tx, connection, resource: nil,
            "export/pages \(resource) page \(pageIndex) of \(totalPages): \(page.count) record(s)")
        return IntegratorData.render(page, extra: [("pagedExportState", state ?? .null)])
    }

    private static func signature(
        _ tx: any SandboxTransaction, _ searchID: String, _ index: Int64, _ size: Int64, _ pages: Int64, _ total: Int64,
        _ done: Bool, _ issuedAt: Int64, _ connection: String
    ) throws -> String {
        let text = "\(searchID)|\(index)|\(size)|\(pages)|\(total)|\(done)|\(issuedAt)|\(connection)"
        return SandboxSigning.hmac(key: try IntegratorSettings.secret(tx), text)
    }

    /// The export model, independent of key order.
    private static func fingerprint(_ model: JSONValue) -> String {
        func sorted(_ value: JSONValue) -> JSONValue {
            switch value {
            case .object(let object): .object(JSONObject(object.keys.sorted().map { ($0, sorted(object[$0]!)) }))
            case .array(let items): .array(items.map(sorted))
            default: value
            }
        }
        return SandboxSHA256.hash(sorted(model).serialized())
    }

    private static func rejected(_ message: String) -> IntegratorError {
        IntegratorError(
            status: .badRequest, code: "invalid_paged_export_state", message: message, field: "pagedExportState")
    }
}
