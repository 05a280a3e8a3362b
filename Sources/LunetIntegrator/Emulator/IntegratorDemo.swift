import Foundation
import LunetJSON
import LunetSandbox

/// The "demo" data set: 250 connections (the seed's three examples among
/// them), data behind some of them for virtual exports, 5 flows, 40 past
/// jobs and two state keys. Ids and times are fixed.
enum IntegratorDemo {
    static let userID = "5e03061cda20740022300f09"
    static let connectionCount = 250
    /// The seed's examples: Slack (GET), NetSuite (paged export), heartbeat (import).
    static let slack = "5541e17a1383a6ce6e00000d"
    static let netsuite = "5541489353bb53af29000009"
    static let heartbeat = "5a1498b3bc227369ab2aa77b"
    /// A REST shop with `customers` (137 records) and `orders` (250).
    static var shop: String { id(kind: 1, 3) }
    /// 2024-03-01T00:00:00Z in seconds.
    static let start = IntegratorTime.daysFromCivil(2024, 3, 1) * 86_400

    static func id(kind: UInt64, _ index: Int) -> String {
        IntegratorHTTP.objectID(seconds: start + Int64(index) * 60, kind << 56 | UInt64(index))
    }

    static func connectionID(_ index: Int) -> String {
        switch index {
        case 0: slack
        case 1: netsuite
        case 2: heartbeat
        default: id(kind: 1, index)
        }
    }

    static func flowID(_ index: Int) -> String { id(kind: 2, index) }
    static func jobID(_ index: Int) -> String { id(kind: 3, index) }

    static func load(_ tx: any SandboxTransaction) throws {
        for index in 0..<connectionCount {
            try tx.put(IntegratorEmulator.connections, id: connectionID(index), .object(connection(index)))
        }
        try IntegratorData.append(tx, netsuite, "customRecord", (0..<822).map(usageRecord))
        try IntegratorData.append(tx, slack, "conversations.list", (0..<45).map(channel))
        try IntegratorData.append(tx, shop, "customers", (0..<137).map(customer))
        try IntegratorData.append(tx, shop, "orders", (0..<250).map(order))
        try flows(tx)
        try jobs(tx)
        try tx.put(IntegratorEmulator.state, id: "banana", ["key": "banana", "value": ["message": "Don't slip!"]])
        try tx.put(
            IntegratorEmulator.state, id: "lastSync", ["key": "lastSync", "value": ["at": "2024-03-01T00:00:00.000Z"]])
        for line in ["GET https://slack.com/api/api.test 200", "GET https://slack.com/api/conversations.list 200"] {
            try IntegratorDebugLog.record(tx, slack, resource: nil, line)
        }
    }

    private static func channel(_ i: Int) -> JSONValue {
        let id = "C0" + String(format: "%07d", 4000 + i)
        return ["id": .string(id), "name": .string("channel-\(i + 1)"), "is_private": .bool(i % 5 == 0)]
    }

    private static func customer(_ i: Int) -> JSONValue {
        var record: JSONObject = ["id": .integer(Int64(1000 + i))]
        record["email"] = .string("customer\(i + 1)@example.com")
        record["first_name"] = "Customer"
        record["last_name"] = .string(String(i + 1))
        record["orders_count"] = .integer(Int64(i % 9))
        return .object(record)
    }

    private static func order(_ i: Int) -> JSONValue {
        var record: JSONObject = ["id": .integer(Int64(5000 + i))]
        record["customer_id"] = .integer(Int64(1000 + i % 137))
        record["total_price"] = .string(String(format: "%.2f", Double(i * 37 % 900) + 9.95))
        record["currency"] = "USD"
        return .object(record)
    }

    private static let kinds = ["rest", "http", "netsuite", "salesforce", "ftp"]
    private static let apps = ["Shopify", "Zendesk", "NetSuite", "Salesforce", "SFTP", "HubSpot", "Stripe", "Jira"]

    static func connection(_ index: Int) -> JSONObject {
        let created = IntegratorTime.format((start + Int64(index) * 60) * 1000 + Int64(index % 1000))
        var object: JSONObject = [
            "_id": .string(connectionID(index)), "createdAt": .string(created), "lastModified": .string(created),
        ]
        switch index {
        case 0:
            object["lastModified"] = "2015-05-02T05:13:43.736Z"
            object["type"] = "rest"
            object["name"] = "Slack API"
            object["rest"] = [
                "baseURI": "https://slack.com/api", "bearerToken": "xoxb-sandbox-secret", "tokenLocation": "url",
                "tokenParam": "token", "mediaType": "urlencoded", "authType": "token", "encryptedFields": [],
                "unencryptedFields": [], "scope": [], "pingRelativeURI": "api.test",
            ]
        case 1:
            object["type"] = "netsuite"
            object["name"] = "NetSuite Production"
            object["netsuite"] = [
                "account": "TSTDRV589861", "roleId": "3", "environment": "production",
                "email": "integrations@example.com",
                "password": "sandbox-secret",
            ]
        case 2:
            object["type"] = "rest"
            object["name"] = "Heartbeat API"
            object["rest"] = [
                "baseURI": "https://heartbeat.example.com", "mediaType": "json", "authType": "basic",
                "basicAuth": ["username": "svc", "password": "sandbox-secret"],
            ]
        default:
            let type = kinds[index % kinds.count]
            object["type"] = .string(type)
            object["name"] = .string("\(apps[index % apps.count]) \(String(format: "%03d", index))")
            switch type {
            case "rest", "http":
                let host = index == 6 ? "api.down.invalid" : "api\(index).example.com"
                object[type] = [
                    "baseURI": .string("https://\(host)/v1"), "mediaType": "json", "authType": "token",
                    "bearerToken": .string("sandbox-token-\(index)"),
                ]
            case "netsuite":
                object["netsuite"] = [
                    "account": .string("TSTDRV\(100_000 + index)"), "roleId": "3", "environment": "sandbox",
                ]
            case "salesforce":
                object["salesforce"] = [
                    "sandbox": true, "oauth2FlowType": "refreshToken", "refreshToken": "sandbox-secret",
                ]
            default:
                object["ftp"] = [
                    "hostURI": .string("sftp\(index).example.com"), "type": "sftp", "username": "svc",
                    "password": "sandbox-secret",
                ]
            }
            if index % 25 == 0 { object["offline"] = true }
        }
        return object
    }

    /// A record shaped like the seed's NetSuite saved-search rows.
    static func usageRecord(_ i: Int) -> JSONValue {
        let names = ["John Doe", "Nicole Jimenez", "Peter Glebovskiy", "Ko Doe", "Marcus Doe"]
        return [
            "recType": "813", "custrecord_usage_diy_ms": .integer(Int64(65_894_782 - i * 48_611)),
            "custrecord_usage_diy_year": 2017, "custrecord_usage_diy_userid": "123ab456c789de1011",
            "custrecord_usage_diy_name": .string(names[i % names.count]),
            "custrecord_usage_diy_hours": .integer(Int64(18 - i % 18)),
            "custrecord_usage_diy_month_s": "November", "row": .integer(Int64(i + 1)),
        ]
    }

    private static func flows(_ tx: any SandboxTransaction) throws {
        let plans: [(String, String, Int, Bool)] = [
            ("Orders to NetSuite", "completed", 120, false), ("Customers to Salesforce", "completed", 40, false),
            ("Inventory sync", "failed", 60, false), ("Heartbeat", "completed", 1, false),
            ("Legacy FTP import", "completed", 5, true),
        ]
        for (index, plan) in plans.enumerated() {
            let created = IntegratorTime.format((start + Int64(index) * 3600) * 1000)
            try tx.put(
                IntegratorEmulator.flows, id: flowID(index),
                [
                    "_id": .string(flowID(index)), "name": .string(plan.0), "_integrationId": .string(id(kind: 4, 0)),
                    "disabled": .bool(plan.3), "createdAt": .string(created), "lastModified": .string(created),
                    "pageGenerators": [["_exportId": .string(id(kind: 5, index))]],
                    "pageProcessors": [["type": "import", "_importId": .string(id(kind: 6, index))]],
                    IntegratorEmulator.internalKey: ["outcome": .string(plan.1), "records": .integer(Int64(plan.2))],
                ])
        }
    }

    /// 40 finished runs of the first four flows, 3 hours apart.
    private static func jobs(_ tx: any SandboxTransaction) throws {
        for index in 0..<40 {
            let flowIndex = index % 4
            guard let flow = try tx.get(IntegratorEmulator.flows, id: flowID(flowIndex))?.object else { continue }
            let created = (start + 86_400 + Int64(index) * 3 * 3600) * 1000 + Int64(index * 7)
            let plan = flow[IntegratorEmulator.internalKey] ?? [:]
            let job = IntegratorJobs.make(
                id: jobID(index), flow: flow, createdAt: created, startAt: created + 2000, endAt: created + 60_000,
                outcome: plan["outcome"]?.string ?? "completed", records: Int(plan["records"]?.integer ?? 0))
            try tx.put(IntegratorEmulator.jobs, id: jobID(index), .object(job))
        }
    }
}
