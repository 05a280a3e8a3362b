import LunetJSON
import LunetSandbox

/// The records "behind" each connection, which virtual exports read and
/// virtual imports add to. Each dataset (a connection and a resource named by
/// the export or import model: a REST path, a NetSuite record type, a
/// Salesforce object) is its own collection `rows/<connection>|<resource>`,
/// one document per record, keyed by `orderedKey(n)` from 1 in insertion
/// order: `{"json": "<the record's JSON text>"}`. Records are only ever
/// appended, so a paged export reads a stable prefix, and a page is one range
/// scan (`O(page)`, whatever the size of the dataset). The record is kept as
/// the text it is answered as, so a page is rendered by joining its rows'
/// text rather than serializing every record again.
enum IntegratorData {
    static func collection(_ connection: String, _ resource: String) -> String {
        "rows/" + connection + "|" + resource
    }

    /// How many records the dataset has.
    static func count(_ tx: any SandboxTransaction, _ connection: String, _ resource: String) throws -> Int {
        try tx.count(collection(connection, resource))
    }

    /// The JSON text of records `offset + 1 … offset + limit` (fewer at the end).
    static func page(
        _ tx: any SandboxTransaction, _ connection: String, _ resource: String, offset: Int, limit: Int
    ) throws -> [String] {
        guard limit > 0 else { return [] }
        let rows = try tx.scan(
            collection(connection, resource), after: offset > 0 ? orderedKey(Int64(offset)) : nil, limit: limit)
        return rows.map { $0.body["json"]?.string ?? "null" }
    }

    static func append(_ tx: any SandboxTransaction, _ connection: String, _ resource: String, _ new: [JSONValue])
        throws
    {
        let name = collection(connection, resource)
        for record in new {
            let number = try tx.nextSequence(name)
            try tx.put(name, id: orderedKey(number), ["json": .string(record.serializedString())])
        }
    }

    /// `{"data": [page], "dataURIs": [null, …]}` followed by `extra` members
    /// (already-built JSON values), as bytes: the records' stored text joined.
    static func render(_ page: [String], extra: [(String, JSONValue)] = []) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(page.reduce(64) { $0 + $1.utf8.count + 6 })
        out.append(contentsOf: #"{"data":["#.utf8)
        for (index, text) in page.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: text.utf8)
        }
        out.append(contentsOf: #"],"dataURIs":["#.utf8)
        for index in page.indices {
            out.append(contentsOf: index > 0 ? ",null".utf8 : "null".utf8)
        }
        out.append(UInt8(ascii: "]"))
        for (name, value) in extra {
            out.append(UInt8(ascii: ","))
            out.append(contentsOf: JSONValue.string(name).serialized())
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: value.serialized())
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// What an export model reads: `rest.relativeURI`, `http.relativeURI`,
    /// `netsuite.searches[0].recordType`, `netsuite.restlet.recordType`,
    /// `salesforce.sObjectType`; else "records".
    static func exportResource(_ model: JSONValue) -> String {
        let candidates: [JSONValue?] = [
            model["rest"]?["relativeURI"], model["http"]?["relativeURI"],
            model["netsuite"]?["searches"]?[0]?["recordType"], model["netsuite"]?["restlet"]?["recordType"],
            model["salesforce"]?["sObjectType"],
        ]
        return resource(candidates)
    }

    /// What an import model writes to: `rest.relativeURI` (a string or the
    /// seed's one-element array), `http.relativeURI`,
    /// `netsuite_da.recordType`, `salesforce.sObjectType`; else "records".
    static func importResource(_ model: JSONValue) -> String {
        let candidates: [JSONValue?] = [
            model["rest"]?["relativeURI"], model["http"]?["relativeURI"], model["netsuite_da"]?["recordType"],
            model["netsuite"]?["recordType"], model["salesforce"]?["sObjectType"],
        ]
        return resource(candidates)
    }

    private static func resource(_ candidates: [JSONValue?]) -> String {
        for candidate in candidates {
            guard let text = candidate?.string ?? candidate?[0]?.string else { continue }
            let path = text.split(separator: "?").first.map(String.init) ?? ""
            let trimmed = path.split(separator: "/").joined(separator: "/")
            if !trimmed.isEmpty { return trimmed }
        }
        return "records"
    }
}
