import Foundation
import LunetTestSupport
import LunetRuntime
import Testing

/// The stores the state suite runs against: every test taking a
/// `StoreKind` runs once with SQLite and once with a real PostgreSQL
/// (PostgresTestServer).
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

/// A new, empty store of one kind. `open` makes a new connection to it
/// each call; `location` is what LUNET_STATE would say.
struct FreshStore: Sendable {
    let kind: StoreKind
    let location: String
    let open: StateStoreContract.Open
    /// Holds the SQLite folder (and the runtime's XDG folders) until the test ends.
    let directory: TemporaryDirectory

    static func make(_ kind: StoreKind) async throws -> FreshStore {
        let directory = TemporaryDirectory()
        switch kind {
        case .sqlite:
            let path = directory.file("state/lunet/state.db")
            return FreshStore(kind: kind, location: path, open: { try SQLiteStateStore(path: path) }, directory: directory)
        case .postgres:
            let url = try await PostgresTestServer.shared.freshDatabase()
            return FreshStore(kind: kind, location: url, open: { try PostgresStateStore(url: url) }, directory: directory)
        }
    }
}
