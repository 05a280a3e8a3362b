import Foundation
import LunetJSON
import LunetRuntime
import Testing

/// What every `StateStore` must do. Each check takes a factory that opens
/// a new connection to one and the same empty store; StateStoreContractTests
/// runs every check against SQLite and PostgreSQL.
enum StateStoreContract {
    typealias Open = @Sendable () throws -> any StateStore

    static func absentKeyIsNil(_ open: Open) async throws {
        let store = try open()
        #expect(try await store.get("missing") == nil)
        #expect(try await store.value("missing") == nil)
    }

    static func setThenGetReturnsTheSameText(_ open: Open) async throws {
        let store = try open()
        let before = Date().addingTimeInterval(-1)
        try await store.set("feed:buildings", json: #"{"token":"abc","n":[1,2.5,null]}"#)
        let entry = try #require(try await store.get("feed:buildings"))
        #expect(entry.json == #"{"token":"abc","n":[1,2.5,null]}"#)
        #expect(entry.value == ["token": "abc", "n": [1, 2.5, nil]])
        #expect(entry.updatedAt >= before && entry.updatedAt <= Date().addingTimeInterval(1))
    }

    static func setReplacesAndMovesUpdatedAt(_ open: Open) async throws {
        let store = try open()
        try await store.set("k", value: 1)
        let first = try #require(try await store.get("k"))
        try await Task.sleep(for: .milliseconds(20))
        try await store.set("k", value: "two")
        let second = try #require(try await store.get("k"))
        #expect(second.value == "two")
        #expect(second.updatedAt > first.updatedAt)
    }

    static func deleteReportsWhetherTheKeyExisted(_ open: Open) async throws {
        let store = try open()
        try await store.set("k", value: true)
        #expect(try await store.delete("k") == true)
        #expect(try await store.delete("k") == false)
        #expect(try await store.get("k") == nil)
    }

    static func keysByPrefixAreSortedByteWise(_ open: Open) async throws {
        let store = try open()
        for key in ["b", "a/2", "a/10", "a/1", "a", "ab", "a%", "a_x", "é", "a/é", "z"] {
            try await store.set(key, value: .string(key))
        }
        #expect(try await store.keys(prefix: "a/") == ["a/1", "a/10", "a/2", "a/é"])
        #expect(try await store.keys(prefix: "a") == ["a", "a%", "a/1", "a/10", "a/2", "a/é", "a_x", "ab"])
        // LIKE wildcards are plain characters.
        #expect(try await store.keys(prefix: "a%") == ["a%"])
        #expect(try await store.keys(prefix: "a_") == ["a_x"])
        #expect(try await store.keys(prefix: "") == ["a", "a%", "a/1", "a/10", "a/2", "a/é", "a_x", "ab", "b", "z", "é"])
        #expect(try await store.keys(prefix: "nothing") == [])
        let entries = try await store.entries(prefix: "a/1")
        #expect(entries.map(\.key) == ["a/1", "a/10"])
        #expect(entries.map(\.value) == ["a/1", "a/10"])
    }

    static func keysAreChecked(_ open: Open) async throws {
        let store = try open()
        await #expect(throws: StateError.invalidKey("key must not be empty")) { try await store.set("", json: "1") }
        let long = String(repeating: "k", count: 513)
        await #expect(throws: StateError.invalidKey("key is 513 bytes long; at most 512 allowed")) {
            try await store.get(long)
        }
        let longest = String(repeating: "é", count: 256)  // 512 bytes
        try await store.set(longest, value: 1)
        #expect(try await store.value(longest) == 1)
    }

    static func compareAndSet(_ open: Open) async throws {
        let store = try open()
        #expect(try await store.compareAndSet("cp", expected: nil, new: #""t1""#))
        #expect(!(try await store.compareAndSet("cp", expected: nil, new: #""t2""#)))
        #expect(!(try await store.compareAndSet("cp", expected: #""t0""#, new: #""t2""#)))
        #expect(try await store.compareAndSet("cp", expected: #""t1""#, new: #""t2""#))
        #expect(try await store.value("cp") == "t2")
        #expect(try await store.compareAndSet("cp", expected: #""t2""#, new: nil))
        #expect(try await store.get("cp") == nil)
    }

    /// Two connections each add 1 to a counter 200 times through `update`:
    /// no increment may be lost.
    static func updateIsAtomicAcrossConnections(_ open: Open) async throws {
        let a = try open(), b = try open()
        try await a.set("counter", value: 0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in [a, b] {
                group.addTask {
                    for _ in 0..<200 {
                        try await store.update("counter") { entry in
                            let n = entry?.value?.integer ?? 0
                            return (.set(json: String(n + 1)), ())
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await a.value("counter") == 400)
    }

    static func locksExcludeOtherHolders(_ open: Open) async throws {
        let a = try open(), b = try open()
        let held = try #require(try await a.tryLock("nightly sync"))
        #expect(held.name == "nightly sync")
        #expect(try await b.tryLock("nightly sync") == nil)
        #expect(try await b.tryLock("other") != nil)
        held.release()
        held.release()  // idempotent
        let again = try await b.tryLock("nightly sync")
        #expect(again != nil)
        again?.release()
    }

    /// Who holds a lock is readable by others while it is held, and gone
    /// once it is released.
    static func lockHoldersAreRecorded(_ open: Open) async throws {
        let a = try open(), b = try open()
        #expect(try await b.lockHolder("job") == nil)
        let before = Date().addingTimeInterval(-1)
        let held = try #require(try await a.tryLock("job"))
        let holder = try #require(try await b.lockHolder("job"))
        #expect(holder.pid == getpid())
        #expect(holder.host == ProcessInfo.processInfo.hostName)
        #expect(holder.since >= before && holder.since <= Date().addingTimeInterval(1))
        #expect("\(holder)".hasPrefix("pid \(getpid()) on \(holder.host) since 20"))
        held.release()
        #expect(try await b.lockHolder("job") == nil)
    }

    /// `lock(_:timeout:)` waits for a holder to let go, and gives up after
    /// the timeout naming the lock.
    static func lockWaitsForTheHolder(_ open: Open) async throws {
        let a = try open(), b = try open()
        let held = try #require(try await a.tryLock("refresh"))
        await #expect {
            try await b.lock("refresh", timeout: .milliseconds(200))
        } throws: { error in
            "\(error)".contains("lock 'refresh' is held")
        }
        let releaser = Task {
            try await Task.sleep(for: .milliseconds(150))
            held.release()
        }
        let start = ContinuousClock.now
        let second = try await b.lock("refresh", timeout: .seconds(10))
        #expect(ContinuousClock.now - start >= .milliseconds(100))
        second.release()
        try await releaser.value
    }

    static func aNewConnectionSeesEveryWrite(_ open: Open) async throws {
        do {
            let store = try open()
            for i in 0..<50 { try await store.set("k\(i)", value: .integer(Int64(i))) }
            try await store.delete("k7")
        }
        let reopened = try open()
        #expect(try await reopened.keys(prefix: "k").count == 49)
        #expect(try await reopened.value("k42") == 42)
        #expect(try await reopened.get("k7") == nil)
    }

    /// Two independent connections write the same keys `count` times each
    /// at the same time: each waits its turn, no write fails, and every
    /// value read back is one that was written whole.
    static func twoConnectionsHammeringTheSameKeysBothSucceed(_ open: Open, count: Int = 1000) async throws {
        let a = try open(), b = try open()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (name, store) in [("a", a), ("b", b)] {
                group.addTask {
                    for i in 0..<count {
                        try await store.set("shared/\(i % 10)", value: ["writer": .string(name), "i": .integer(Int64(i))])
                        if i % 100 == 0 { _ = try await store.keys(prefix: "shared/") }
                    }
                }
            }
            try await group.waitForAll()
        }
        let entries = try await a.entries(prefix: "shared/")
        #expect(entries.count == 10)
        for entry in entries {
            let value = try #require(entry.value)
            #expect(value["writer"] == "a" || value["writer"] == "b")
            #expect((value["i"]?.integer ?? -1) >= Int64(count - 10))
        }
    }
}

/// The contract, run against each store.
@Suite("State store contract")
struct StateStoreContractTests {
    typealias Check = @Sendable (StateStoreContract.Open) async throws -> Void

    func check(_ kind: StoreKind, _ body: Check) async throws {
        let store = try await FreshStore.make(kind)
        try await body(store.open)
    }

    @Test(arguments: StoreKind.allCases) func absentKeyIsNil(_ kind: StoreKind) async throws {
        try await check(kind, StateStoreContract.absentKeyIsNil)
    }
    @Test(arguments: StoreKind.allCases) func setThenGet(_ kind: StoreKind) async throws {
        try await check(kind, StateStoreContract.setThenGetReturnsTheSameText)
    }
    @Test(arguments: StoreKind.allCases) func setReplaces(_ kind: StoreKind) async throws {
        try await check(kind, StateStoreContract.setReplacesAndMovesUpdatedAt)
    }
    @Test(arguments: StoreKind.allCases) func delete(_ kind: StoreKind) async throws {
        try await check(kind, StateStoreContract.deleteReportsWhetherTheKeyExisted)
    }
    @Test(arguments: StoreKind.allCases) func keysByPrefix(_ kind: StoreKind) async throws {
        try await check(kind, StateStoreContract.keysByPrefixAreSortedByteWise)
    }
    @Test(arguments: StoreKind.allCases) func keyRules(_ kind: StoreKind) async throws {
        try await check(kind, StateStoreContract.keysAreChecked)
    }
    @Test(arguments: StoreKind.allCases) func compareAndSet(_ kind: StoreKind) async throws {
        try await check(kind, StateStoreContract.compareAndSet)
    }
    @Test(arguments: StoreKind.allCases) func atomicUpdate(_ kind: StoreKind) async throws {
        try await check(kind, StateStoreContract.updateIsAtomicAcrossConnections)
    }
    @Test(arguments: StoreKind.allCases) func locks(_ kind: StoreKind) async throws {
        try await check(kind, StateStoreContract.locksExcludeOtherHolders)
    }
    @Test(arguments: StoreKind.allCases) func lockHolders(_ kind: StoreKind) async throws {
        try await check(kind, StateStoreContract.lockHoldersAreRecorded)
    }
    @Test(arguments: StoreKind.allCases) func lockWaits(_ kind: StoreKind) async throws {
        try await check(kind, StateStoreContract.lockWaitsForTheHolder)
    }
    @Test(arguments: StoreKind.allCases) func newConnectionSeesWrites(_ kind: StoreKind) async throws {
        try await check(kind, StateStoreContract.aNewConnectionSeesEveryWrite)
    }
    @Test(arguments: StoreKind.allCases) func hammering(_ kind: StoreKind) async throws {
        try await check(kind) { open in try await StateStoreContract.twoConnectionsHammeringTheSameKeysBothSucceed(open) }
    }
}
