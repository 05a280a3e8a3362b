import LunetJSON
import LunetSandbox

/// The records "behind" each connection, which virtual exports read and
/// virtual imports add to: `datasets/<connection>|<resource>` →
/// `{"records": […]}`. The resource is named by the export or import model
/// (a REST path, a NetSuite record type, a Salesforce object). Records are
/// only ever appended, so a paged export can read a stable prefix.
enum IntegratorData {
    static let collection = "datasets"

    static func key(_ connection: String, _ resource: String) -> String { connection + "|" + resource }

    static func records(_ tx: any SandboxTransaction, _ connection: String, _ resource: String) throws -> [JSONValue] {
        try tx.get(collection, id: key(connection, resource))?["records"]?.array ?? []
    }

    static func append(_ tx: any SandboxTransaction, _ connection: String, _ resource: String, _ new: [JSONValue])
        throws
    {
        let all = try records(tx, connection, resource) + new
        try tx.put(collection, id: key(connection, resource), ["records": .array(all)])
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
