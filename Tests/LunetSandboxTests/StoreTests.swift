import Foundation
import LunetJSON
import LunetTestSupport
import Testing

@testable import LunetSandbox

/// The same behaviour is required of both stores.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory, sqlite
    var testDescription: String { rawValue }

    /// A fresh store and a clean-up for it.
    func make() throws -> (store: any SandboxStore, cleanUp: @Sendable () -> Void) {
        switch self {
        case .memory:
            return (MemorySandboxStore(), {})
        case .sqlite:
            let directory = try temporaryTestDirectory("lunet-sandbox")
            let store = try SQLiteSandboxStore(directory: directory)
            return (store, {
                try? store.close()
                try? FileManager.default.removeItem(atPath: directory)
            })
        }
    }
}

struct Boom: Error {}

@Suite("sandbox stores")
struct StoreTests {
    @Test(arguments: StoreKind.allCases)
    func putGetDeleteCount(kind: StoreKind) async throws {
        let (store, cleanUp) = try kind.make()
        defer { cleanUp() }
        #expect(try await store.get("things", id: "a") == nil)
        try await store.put("things", id: "a", ["n": 1, "list": [true, .null, 2.5]])
        try await store.put("things", id: "b", "text")
        #expect(try await store.get("things", id: "a") == ["n": 1, "list": [true, .null, 2.5]])
        #expect(try await store.count("things") == 2)
        try await store.put("things", id: "a", ["n": 2])
        #expect(try await store.get("things", id: "a") == ["n": 2])
        #expect(try await store.delete("things", id: "a"))
        #expect(try await !store.delete("things", id: "a"))
        #expect(try await store.count("things") == 1)
        #expect(try await store.count("other") == 0)
    }

    @Test(arguments: StoreKind.allCases)
    func objectKeyOrderSurvives(kind: StoreKind) async throws {
        let (store, cleanUp) = try kind.make()
        defer { cleanUp() }
        let document: JSONValue = ["zeta": 1, "alpha": 2, "mid": 3]
        try await store.put("c", id: "x", document)
        #expect(try await store.get("c", id: "x")?.object?.keys == ["zeta", "alpha", "mid"])
    }

    @Test(arguments: StoreKind.allCases)
    func scanPagesInIdOrder(kind: StoreKind) async throws {
        let (store, cleanUp) = try kind.make()
        defer { cleanUp() }
        for id in ["b", "a", "d", "c", "e"] { try await store.put("letters", id: id, .string(id)) }
        #expect(try await store.scan("letters").map(\.id) == ["a", "b", "c", "d", "e"])
        #expect(try await store.scan("letters", limit: 2).map(\.id) == ["a", "b"])
        #expect(try await store.scan("letters", after: "b", limit: 2).map(\.id) == ["c", "d"])
        #expect(try await store.scan("letters", after: "bb").map(\.id) == ["c", "d", "e"])
        #expect(try await store.scan("letters", after: "e").isEmpty)
        #expect(try await store.scan("letters", limit: 0).isEmpty)
        #expect(try await store.scan("letters", after: "c", limit: 1).first == SandboxDocument(id: "d", body: "d"))
    }

    @Test(arguments: StoreKind.allCases)
    func scansSeeRemovalsAndReadditions(kind: StoreKind) async throws {
        let (store, cleanUp) = try kind.make()
        defer { cleanUp() }
        for id in ["m", "c", "x", "a"] { try await store.put("ids", id: id, .string(id)) }
        #expect(try await store.scan("ids").map(\.id) == ["a", "c", "m", "x"])
        try await store.delete("ids", id: "c")
        try await store.put("ids", id: "b", "b")
        try await store.delete("ids", id: "x")
        try await store.put("ids", id: "x", "x again")
        try await store.put("ids", id: "c", "c again")
        try await store.delete("ids", id: "b")
        #expect(try await store.scan("ids").map(\.id) == ["a", "c", "m", "x"])
        #expect(try await store.scan("ids", after: "c").map(\.body) == ["m", "x again"])
        #expect(try await store.count("ids") == 4)
    }

    @Test(arguments: StoreKind.allCases)
    func scanPagesByOffset(kind: StoreKind) async throws {
        let (store, cleanUp) = try kind.make()
        defer { cleanUp() }
        for id in ["b", "a", "d", "c", "e"] { try await store.put("letters", id: id, .string(id)) }
        let pages = try await store.read { tx in
            [try tx.scan("letters", offset: 0, limit: 2), try tx.scan("letters", offset: 2, limit: 2),
             try tx.scan("letters", offset: 4, limit: 2), try tx.scan("letters", offset: 5, limit: 2),
             try tx.scan("letters", offset: 1, limit: nil), try tx.scan("letters", offset: 1, limit: 0),
             try tx.scan("nothing", offset: 0, limit: 3)].map { $0.map(\.id) }
        }
        #expect(pages == [["a", "b"], ["c", "d"], ["e"], [], ["b", "c", "d", "e"], [], []])
        #expect(try await store.read { try $0.scan("letters", offset: 3, limit: 1) } == [SandboxDocument(id: "d", body: "d")])
    }

    @Test func bothStoresOrderIdsAlike() async throws {
        let ids = ["é", "z", "e\u{301}", "Z", "a", "aa", "a b", "😀", "ｚ", "10", "9", orderedKey(10), orderedKey(9)]
        var orders: [[String]] = []
        for kind in StoreKind.allCases {
            let (store, cleanUp) = try kind.make()
            defer { cleanUp() }
            for id in ids { try await store.put("ids", id: id, .null) }
            for id in ids.prefix(3) { #expect(try await store.get("ids", id: id) == .null) }
            orders.append(try await store.scan("ids").map(\.id))
        }
        #expect(orders[0] == orders[1])
        #expect(orders[0].count == ids.count)
        #expect(orders[0].firstIndex(of: orderedKey(9))! < orders[0].firstIndex(of: orderedKey(10))!)
    }

    @Test(arguments: StoreKind.allCases)
    func sequencesCountUpPerCollection(kind: StoreKind) async throws {
        let (store, cleanUp) = try kind.make()
        defer { cleanUp() }
        #expect(try await store.nextSequence("jobs") == 1)
        #expect(try await store.nextSequence("jobs") == 2)
        #expect(try await store.nextSequence("files") == 1)
        try await store.put("jobs", id: "x", 1)
        _ = try await store.delete("jobs", id: "x")
        #expect(try await store.nextSequence("jobs") == 3)
        try await store.removeAll()
        #expect(try await store.nextSequence("jobs") == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func aThrowingWriteLeavesNoTrace(kind: StoreKind) async throws {
        let (store, cleanUp) = try kind.make()
        defer { cleanUp() }
        try await store.put("items", id: "kept", "old")
        try await store.put("items", id: "doomed", "here")
        try await store.put("other", id: "x", 1)
        _ = try await store.nextSequence("items")
        await #expect(throws: Boom.self) {
            try await store.write { tx in
                try tx.put("items", id: "new", "new")
                try tx.put("items", id: "kept", "changed")
                _ = try tx.delete("items", id: "doomed")
                _ = try tx.nextSequence("items")
                try tx.removeAll(collectionPrefix: "oth")
                #expect(try tx.get("items", id: "kept") == "changed")
                #expect(try tx.scan("items", after: nil, limit: nil).map(\.id) == ["kept", "new"])
                throw Boom()
            }
        }
        #expect(try await store.scan("items").map(\.id) == ["doomed", "kept"])
        #expect(try await store.get("items", id: "kept") == "old")
        #expect(try await store.get("other", id: "x") == 1)
        #expect(try await store.nextSequence("items") == 2)
    }

    @Test(arguments: StoreKind.allCases)
    func aWriteReturnsItsResult(kind: StoreKind) async throws {
        let (store, cleanUp) = try kind.make()
        defer { cleanUp() }
        let id = try await store.write { tx in
            let n = try tx.nextSequence("orders")
            try tx.put("orders", id: orderedKey(n), ["n": .integer(n)])
            return orderedKey(n)
        }
        #expect(id == "00000000000000000001")
        #expect(try await store.get("orders", id: id) == ["n": 1])
    }

    @Test(arguments: StoreKind.allCases)
    func readTransactionsCannotWrite(kind: StoreKind) async throws {
        let (store, cleanUp) = try kind.make()
        defer { cleanUp() }
        await #expect(throws: (any Error).self) {
            try await store.read { try $0.put("c", id: "x", 1) }
        }
        #expect(try await store.get("c", id: "x") == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func namespacesKeepModulesApart(kind: StoreKind) async throws {
        let (store, cleanUp) = try kind.make()
        defer { cleanUp() }
        let icl = store.namespaced("icl"), iconect = store.namespaced("iconect"), nested = icl.namespaced("v2")
        try await icl.put("items", id: "1", "icl")
        try await iconect.put("items", id: "1", "iconect")
        try await nested.put("items", id: "1", "nested")
        _ = try await icl.nextSequence("items")
        #expect(try await icl.get("items", id: "1") == "icl")
        #expect(try await iconect.get("items", id: "1") == "iconect")
        #expect(try await nested.get("items", id: "1") == "nested")
        #expect(try await store.get("icl/items", id: "1") == "icl")

        try await icl.removeAll()
        #expect(try await icl.get("items", id: "1") == nil)
        #expect(try await nested.get("items", id: "1") == nil)
        #expect(try await icl.nextSequence("items") == 1)
        #expect(try await iconect.get("items", id: "1") == "iconect")
    }

    @Test func aNamespaceIsNotAStringPrefixOfAnother() async throws {
        // "ic" must not remove "icl"'s data: namespaces end in '/'.
        let store = MemorySandboxStore()
        try await store.namespaced("icl").put("items", id: "1", 1)
        try await store.namespaced("ic").removeAll()
        #expect(try await store.namespaced("icl").count("items") == 1)
    }

    @Test func sqliteUsesWALAndOneFile() async throws {
        let directory = try temporaryTestDirectory("lunet-sandbox")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteSandboxStore(directory: directory + "/nested/data")
        try await store.put("c", id: "x", 1)
        #expect(FileManager.default.fileExists(atPath: directory + "/nested/data/sandbox.sqlite"))
        #expect(FileManager.default.fileExists(atPath: directory + "/nested/data/sandbox.sqlite-wal"))
        try store.close()
    }

    @Test func orderedKeysSortNumerically() {
        #expect(orderedKey(7) == "00000000000000000007")
        #expect(orderedKey(Int64.max) == "09223372036854775807")
        #expect(orderedKey(99) < orderedKey(100))
    }
}

@Suite("persistence across restarts")
struct PersistenceTests {
    @Test func sqliteDataSurvivesStopAndStart() async throws {
        let directory = try temporaryTestDirectory("lunet-sandbox")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withSandbox(data: directory) { _, client in
            #expect(try await client.put("/dummy/items/kept", #"{"v": 1}"#).status == 200)
            let health = try await client.get("/_sandbox/health")
            #expect(health.json["store"] == "sqlite")
        }
        try await withSandbox(data: directory) { _, client in
            let reply = try await client.get("/dummy/items/kept")
            #expect(reply.status == 200)
            #expect(reply.json == ["v": 1])
        }
    }

    @Test func memoryDataIsGoneAfterRestart() async throws {
        try await withSandbox { _, client in
            let stored = try await client.put("/dummy/items/kept", #"{"v": 1}"#)
            #expect(stored.status == 200)
        }
        try await withSandbox { _, client in
            let reply = try await client.get("/dummy/items/kept")
            #expect(reply.status == 404)
        }
    }

    @Test func aBatchThroughHTTPIsAllOrNothing() async throws {
        try await withSandbox { _, client in
            let bad = try await client.post("/dummy/batch", #"[{"id": "a", "body": 1}, {"body": 2}]"#)
            #expect(bad.status == 400)
            #expect(try await client.get("/dummy/items").json == ["items": []])
            let good = try await client.post("/dummy/batch", #"[{"id": "a", "body": 1}, {"id": "b", "body": 2}]"#)
            #expect(good.json == ["stored": 2])
            #expect(try await client.get("/dummy/items").json == [
                "items": [["id": "a", "body": 1], ["id": "b", "body": 2]]
            ])
        }
    }

    @Test func anUnusableDataDirectoryIsReported() async throws {
        let directory = try temporaryTestDirectory("lunet-sandbox")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/not-a-folder"
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        await #expect {
            try await withSandbox(data: file) { _, _ in }
        } throws: { error in
            guard case .cannotOpenStore(let path, _)? = error as? SandboxError else { return false }
            return path == file
        }
    }
}
