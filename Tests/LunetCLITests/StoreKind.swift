import Foundation
import LunetTestSupport
import Testing

/// The stores the CLI state and lock tests run against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }

    /// A new, empty store: a file under `directory`, or a fresh database
    /// on the test server. The value for LUNET_STATE.
    func freshLocation(in directory: URL) async throws -> String {
        switch self {
        case .sqlite: directory.path + "/state/lunet/state.db"
        case .postgres: try await PostgresTestServer.shared.freshDatabase()
        }
    }

    /// How `lunet` shows the location (the password masked).
    static func shown(_ location: String) -> String {
        guard location.hasPrefix("postgres://"), let at = location.lastIndex(of: "@"),
            let colon = location[location.index(location.startIndex, offsetBy: 11)..<at].firstIndex(of: ":")
        else { return location }
        return String(location[...colon]) + "••••" + String(location[at...])
    }
}
