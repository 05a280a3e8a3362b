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

    // MARK: SQLite specifics

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
}
