import Foundation
import LunetJSON
@testable import LunetRuntime
import Testing

@Suite("SQLite state store")
struct SQLiteStateStoreTests {
    let directory = TemporaryDirectory()
    var path: String { directory.file("state/lunet/state.db") }
    var open: StateStoreContract.Open {
        let path = self.path
        return { try SQLiteStateStore(path: path) }
    }

    // MARK: The contract

    @Test func absentKeyIsNil() async throws { try await StateStoreContract.absentKeyIsNil(open) }
    @Test func setThenGet() async throws { try await StateStoreContract.setThenGetReturnsTheSameText(open) }
    @Test func setReplaces() async throws { try await StateStoreContract.setReplacesAndMovesUpdatedAt(open) }
    @Test func delete() async throws { try await StateStoreContract.deleteReportsWhetherTheKeyExisted(open) }
    @Test func keysByPrefix() async throws { try await StateStoreContract.keysByPrefixAreSortedByteWise(open) }
    @Test func keyRules() async throws { try await StateStoreContract.keysAreChecked(open) }
    @Test func compareAndSet() async throws { try await StateStoreContract.compareAndSet(open) }
    @Test func atomicUpdate() async throws { try await StateStoreContract.updateIsAtomicAcrossConnections(open) }
    @Test func locks() async throws { try await StateStoreContract.locksExcludeOtherHolders(open) }

    // MARK: SQLite specifics

    @Test func reopeningSeesEveryWrite() async throws {
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

    @Test func runsInWALWithFullSync() async throws {
        let store = try SQLiteStateStore(path: path)
        #expect(try await store.pragma("journal_mode") == "wal")
        #expect(try await store.pragma("synchronous") == "2")  // FULL
    }

    @Test func createsAPrivateFolderAndFile() throws {
        _ = try SQLiteStateStore(path: path)
        let folder = (path as NSString).deletingLastPathComponent
        #expect(TemporaryDirectory.mode(of: folder) == 0o700)
        #expect(TemporaryDirectory.mode(of: (folder as NSString).deletingLastPathComponent) == 0o700)
        #expect(TemporaryDirectory.mode(of: path) == 0o600)
    }

    @Test func anUnusableLocationNamesItself() throws {
        try directory.write("not a folder", to: "blocker")
        #expect {
            try SQLiteStateStore(path: directory.file("blocker/state.db"))
        } throws: { error in
            "\(error)".hasPrefix("state store \(directory.file("blocker/state.db")):")
                && "\(error)".contains("not a directory")
        }
    }

    /// Two independent connections write the same keys 1,000 times each at
    /// the same time: the busy timeout makes each wait its turn, so no
    /// write fails with SQLITE_BUSY, and every value read back is one that
    /// was written whole.
    @Test func twoConnectionsHammeringTheSameKeysBothSucceed() async throws {
        let a = try open(), b = try open()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (name, store) in [("a", a), ("b", b)] {
                group.addTask {
                    for i in 0..<1000 {
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
            #expect((value["i"]?.integer ?? -1) >= 990)
        }
    }
}

@Suite("State location")
struct StateLocationTests {
    let paths = XDGPaths(environment: ["HOME": "/home/u"])

    @Test func defaultIsUnderXDGStateHome() throws {
        #expect(try StateLocation.resolve(environment: ["HOME": "/home/u"]) == .sqlite(path: "/home/u/.local/state/lunet/state.db"))
        #expect(
            try StateLocation.resolve(environment: ["HOME": "/home/u", "XDG_STATE_HOME": "/var/lib/x"])
                == .sqlite(path: "/var/lib/x/lunet/state.db"))
    }

    @Test func precedence() throws {
        let environment = ["HOME": "/home/u", "LUNET_STATE": "/env.db"]
        let configured = (value: "/config.db", source: "config.lua: state")
        #expect(try StateLocation.resolve(override: "/flag.db", environment: environment, configured: configured) == .sqlite(path: "/flag.db"))
        #expect(try StateLocation.resolve(environment: environment, configured: configured) == .sqlite(path: "/env.db"))
        #expect(try StateLocation.resolve(environment: ["HOME": "/h"], configured: configured) == .sqlite(path: "/config.db"))
    }

    @Test func forms() throws {
        #expect(try StateLocation.parse("sqlite:/x/s.db", source: "t", paths: paths) == .sqlite(path: "/x/s.db"))
        #expect(try StateLocation.parse("sqlite:///x/s.db", source: "t", paths: paths) == .sqlite(path: "/x/s.db"))
        #expect(try StateLocation.parse("~/s.db", source: "t", paths: paths) == .sqlite(path: "/home/u/s.db"))
        #expect(try StateLocation.parse("rel/s.db", source: "t", paths: paths) == .sqlite(path: "rel/s.db"))
        #expect(
            try StateLocation.parse("postgres://u:pw@db/lunet", source: "t", paths: paths)
                == .postgres(url: "postgres://u:pw@db/lunet"))
        #expect(throws: ConfigError("LUNET_STATE: unsupported state location 'mysql://u:••••@h/d' (use a file path, sqlite:PATH or postgres://…)")) {
            try StateLocation.parse("mysql://u:pw@h/d", source: "LUNET_STATE", paths: paths)
        }
        #expect(throws: ConfigError("LUNET_STATE: empty state location")) {
            try StateLocation.parse("", source: "LUNET_STATE", paths: paths)
        }
    }

    @Test func postgresIsNotYetSupportedAndHidesThePassword() throws {
        let location = StateLocation.postgres(url: "postgres://lunet:hunter2@db.internal/lunet")
        #expect(location.description == "postgres://lunet:••••@db.internal/lunet")
        #expect {
            try location.open()
        } throws: { error in
            let message = "\(error)"
            return error is ConfigError && message.contains("not yet supported") && !message.contains("hunter2")
        }
    }
}
