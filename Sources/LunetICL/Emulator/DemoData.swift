import Foundation
import LunetJSON
import LunetSandbox

/// `seed("demo")`: three content types — `site`, `building` (requires
/// `strasse`, belongs to a site) and `elevator` (belongs to a building, given
/// by its externalId) — with 12 sites, 1,205 buildings (5 of them deleted, so
/// the feeds show deletions) and 723 elevators: several 500-item pages in
/// every listing and feed. Austrian addresses (Wien, Graz, …, with ß, ä, ö,
/// ü); the same ids and values on every run. Replaces earlier content, keeps
/// tokens and settings.
enum ICLDemoData {
    static let dataCollections = ["types", "items/", "keys", "changes", "heads", "itemSequence", "rowVersion", "live"]
    static let start = Date(timeIntervalSince1970: 1_673_249_400)  // 2023-01-09T07:30:00Z

    static func load(into store: any SandboxStore) async throws {
        try await store.write { tx in
            for prefix in dataCollections { try tx.removeAll(collectionPrefix: prefix) }
            let catalog = ICLCatalog(tx: tx)
            let random = DemoRandom(seed: 0x1C1)
            var clock = 0
            func writer(_ type: StoredType) -> ItemWriter {
                clock += 1
                let now = ICLTime.string(start.addingTimeInterval(Double(clock * 53)))
                return ItemWriter(
                    catalog: catalog, type: type, caller: Caller(userId: ICLUsers.interactive.id), now: now,
                    newID: random.uuid)
            }
            var types: [String: StoredType] = [:]
            for definition in [siteType, buildingType, elevatorType] {
                let type = StoredType(
                    definition: try ContentTypeDefinition(validating: definition), creationTime: ICLTime.string(start),
                    lastModificationTime: ICLTime.string(start))
                try catalog.put(type)
                types[type.name] = type
            }
            for site in sites { _ = try writer(types["site"]!).create(site) }
            var buildings: [JSONObject] = []
            for index in 1...1205 {
                let building = self.building(index, random)
                buildings.append(building)
                _ = try writer(types["building"]!).create(.object(building))
            }
            var elevatorCount = 0
            for (index, building) in buildings.enumerated() where index % 5 < 3 {
                elevatorCount += 1
                _ = try writer(types["elevator"]!).create(.object(elevator(elevatorCount, building, random)))
            }
            // Buildings without elevators (index % 5 == 3 or 4), deleted later.
            for externalId in ["GB-00004", "GB-00110", "GB-00505", "GB-00904", "GB-01205"] {
                if let item = try catalog.item(of: types["building"]!.contentTypeId, key: externalId) {
                    try writer(types["building"]!).delete(item)
                }
            }
        }
    }

    // MARK: Content types

    static let siteType: JSONValue = [
        "$type": "contentType", "id": "6b0c3a52-2f1e-4d4b-9a36-0d3f5e7a1c01", "name": "site", "displayName": "Standort",
        "builtinTypeId": 0, "canBeInspected": false, "titleFieldName": "sitename",
        "fields": [
            ["type": "ShortText", "name": "sitename", "displayName": "Standort", "isRequired": true, "isIndexed": true],
            ["type": "ShortText", "name": "region", "displayName": "Region", "isRequired": false],
            ["type": "ShortText", "name": "verantwortlich", "displayName": "Verantwortlich", "isRequired": false],
            ["type": "ShortText", "name": "telefon", "displayName": "Telefon", "isRequired": false],
        ],
    ]

    static let buildingType: JSONValue = [
        "$type": "contentType", "id": "31d1d26b-1475-477e-ab21-13d8fd2dc7ea", "name": "building", "displayName": "Building",
        "builtinTypeId": 0, "canBeInspected": true, "titleFieldName": "buildingname",
        "fields": [
            ["type": "ShortText", "name": "buildingname", "displayName": "Objektnummer", "isRequired": true, "isIndexed": false],
            ["type": "ShortText", "name": "strasse", "displayName": "Straße", "isRequired": true],
            ["type": "ShortText", "name": "stiege", "displayName": "Stiege", "isRequired": false],
            ["type": "Number", "name": "stock", "displayName": "Stock", "isRequired": false],
            ["type": "ShortText", "name": "topnr", "displayName": "Top-Nr.", "isRequired": false],
            ["type": "ShortText", "name": "plz", "displayName": "PLZ", "isRequired": false],
            ["type": "ShortText", "name": "ort", "displayName": "Ort", "isRequired": false],
            ["type": "Number", "name": "baujahr", "displayName": "Baujahr", "isRequired": false],
            ["type": "ContentItem", "name": "site", "displayName": "Standort", "isRequired": false],
        ],
        "relationships": [["name": "building_site", "fieldName": "site", "targetContentType": "site"]],
    ]

    static let elevatorType: JSONValue = [
        "$type": "contentType", "id": "fee7bb0d-7f53-4a86-8696-c9cf683680a9", "name": "elevator", "displayName": "Elevator",
        "builtinTypeId": 0, "canBeInspected": true, "titleFieldName": "elevator_name",
        "fields": [
            ["type": "ShortText", "name": "elevator_name", "displayName": "Aufzugsname", "isRequired": true, "isIndexed": false],
            ["type": "ShortText", "name": "fabrikat", "displayName": "Fabrikat", "isRequired": false],
            ["type": "Number", "name": "baujahr", "displayName": "Baujahr", "isRequired": false],
            ["type": "Number", "name": "tragkraft_kg", "displayName": "Tragkraft (kg)", "isRequired": false],
            ["type": "Number", "name": "haltestellen", "displayName": "Haltestellen", "isRequired": false],
            ["type": "ContentItem", "name": "building", "displayName": "Gebäude", "isRequired": true],
        ],
        "relationships": [["name": "elevator_building", "fieldName": "building", "targetContentType": "building"]],
    ]

    // MARK: Items

    static let sites: [JSONValue] = [
        ("SITE-01", "Wien Innere Stadt", "Wien", "Jürgen Größ"), ("SITE-02", "Wien Landstraße", "Wien", "Zoë Müller"),
        ("SITE-03", "Wien Favoriten", "Wien", "Ana Đorđević"), ("SITE-04", "Wien Döbling", "Wien", "Paul Weiß"),
        ("SITE-05", "Graz Zentrum", "Steiermark", "Barbara Ölz"), ("SITE-06", "Graz Süd", "Steiermark", "Şükrü Yılmaz"),
        ("SITE-07", "Linz", "Oberösterreich", "Renée Strauß"), ("SITE-08", "Salzburg", "Salzburg", "Lukas Gruber"),
        ("SITE-09", "Innsbruck", "Tirol", "Maria Hofer"), ("SITE-10", "Klagenfurt", "Kärnten", "Thomas Pichler"),
        ("SITE-11", "St. Pölten", "Niederösterreich", "Eva Moser"), ("SITE-12", "Wien Floridsdorf", "Wien", "Stefan Huber"),
    ].enumerated().map { index, site in
        [
            "externalId": .string(site.0), "sitename": .string(site.1), "region": .string(site.2),
            "verantwortlich": .string(site.3), "telefon": .string("+43 1 \(5_550_100 + index * 7)"),
        ]
    }

    private struct City {
        var name: String
        var postcodes: [String]
        var streets: [String]
        var sites: [String]
    }

    private static let cities: [(weight: Int, city: City)] = [
        (
            55,
            City(
                name: "Wien", postcodes: (1...23).map { "1\(String(format: "%02d", $0))0" },
                streets: [
                    "Landstraßer Hauptstraße", "Mariahilfer Straße", "Währinger Straße", "Favoritenstraße", "Praterstraße",
                    "Simmeringer Hauptstraße", "Schönbrunner Straße", "Döblinger Hauptstraße", "Ottakringer Straße",
                    "Hernalser Hauptstraße", "Thaliastraße", "Wiedner Hauptstraße", "Lerchenfelder Straße", "Gußhausstraße",
                    "Kärntner Straße", "Rennweg", "Äußere Mariahilfer Straße", "Brünner Straße", "Grünbergstraße",
                ], sites: ["SITE-01", "SITE-02", "SITE-03", "SITE-04", "SITE-12"])
        ),
        (
            20,
            City(
                name: "Graz", postcodes: ["8010", "8020", "8036", "8041", "8042", "8043", "8045", "8051", "8053", "8055"],
                streets: [
                    "Annenstraße", "Herrengasse", "Elisabethstraße", "Münzgrabenstraße", "Kärntner Straße", "Leonhardstraße",
                    "Plüddemanngasse", "Eggenberger Allee", "Grabenstraße", "Triester Straße",
                ], sites: ["SITE-05", "SITE-06"])
        ),
        (7, City(name: "Linz", postcodes: ["4020", "4030", "4040"], streets: ["Landstraße", "Wiener Straße", "Dametzstraße", "Hauptstraße"], sites: ["SITE-07"])),
        (6, City(name: "Salzburg", postcodes: ["5020"], streets: ["Getreidegasse", "Linzer Gasse", "Ignaz-Harrer-Straße"], sites: ["SITE-08"])),
        (5, City(name: "Innsbruck", postcodes: ["6020"], streets: ["Maria-Theresien-Straße", "Museumstraße", "Anichstraße"], sites: ["SITE-09"])),
        (4, City(name: "Klagenfurt am Wörthersee", postcodes: ["9020"], streets: ["Völkermarkter Straße", "St. Veiter Straße"], sites: ["SITE-10"])),
        (3, City(name: "St. Pölten", postcodes: ["3100"], streets: ["Kremser Gasse", "Wiener Straße"], sites: ["SITE-11"])),
    ]

    private static func building(_ index: Int, _ random: DemoRandom) -> JSONObject {
        var roll = random.int(100)
        let city = cities.first { roll -= $0.weight; return roll < 0 }?.city ?? cities[0].city
        let externalId = String(format: "GB-%05d", index)
        // The seed's example address, found by its filter example.
        let street = index == 12 ? "Hansonstrasse 23" : "\(random.pick(city.streets)) \(1 + random.int(180))"
        let ort = index == 12 ? "Wien" : city.name
        var building: JSONObject = [
            "externalId": .string(externalId), "buildingname": .string("\(ort), \(street)"), "strasse": .string(street),
        ]
        if random.int(3) > 0 { building["stiege"] = .string(String(1 + random.int(4))) }
        building["stock"] = .integer(Int64(random.int(9)))
        if random.int(4) > 0 { building["topnr"] = .string(String(1 + random.int(40))) }
        building["plz"] = .string(index == 12 ? "1100" : random.pick(city.postcodes))
        building["ort"] = .string(ort)
        building["baujahr"] = .integer(Int64(1870 + random.int(153)))
        building["site"] = .string(index == 12 ? "SITE-03" : random.pick(city.sites))
        return building
    }

    private static func elevator(_ number: Int, _ building: JSONObject, _ random: DemoRandom) -> JSONObject {
        let built = building["baujahr"]?.integer ?? 1950
        return [
            "externalId": .string(String(format: "AZ-%06d", number)),
            "elevator_name": .string("Aufzug \(number) – \(building["externalId"]?.string ?? "")"),
            "fabrikat": .string(random.pick(["Schindler", "KONE", "Otis", "TK Elevator", "Doppelmayr Aufzüge", "Wiener Aufzugsbau"])),
            "baujahr": .integer(max(built, 1960) + Int64(random.int(40))),
            "tragkraft_kg": .integer(random.pick([320, 450, 630, 800, 1000, 1275])),
            "haltestellen": .integer((building["stock"]?.integer ?? 0) + 1),
            "building": building["externalId"] ?? .null,
        ]
    }
}

/// SplitMix64: the same demo data on every run and platform.
private final class DemoRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    func int(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    func pick<T>(_ values: [T]) -> T { values[int(values.count)] }

    /// A version-4-shaped GUID, lowercase like the portal's.
    func uuid() -> String {
        let (a, b) = (next(), next())
        let hex = String(format: "%016llx%016llx", a, b & 0x0FFF_FFFF_FFFF_FFFF | 0x4000_0000_0000_0000)
        let chars = Array(hex)
        func part(_ from: Int, _ to: Int) -> String { String(chars[from..<to]) }
        return "\(part(0, 8))-\(part(8, 12))-\(part(16, 20))-\(part(20, 24))-\(part(24, 32))\(part(12, 16))"
    }
}
