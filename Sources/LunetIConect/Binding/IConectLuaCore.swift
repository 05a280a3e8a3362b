import CLuaShim
import Foundation
import LunetBridge
import LunetJSON
import LunetRuntime

/// What the Swift core hands stdlib/lunet/iconect.lua besides `connect`:
/// the seed's enumerations and an error constructor.
enum IConectLuaCore {
    /// Pushes the table given to the Lua half as its chunk argument.
    static func push(_ call: LuaCall) {
        let L = call.L
        lua_createtable(L, 0, 4)
        lua_pushstring(L, "connect")
        call.pushFunction("iconect.connect") { try APIBinding.connect(IConectBinding.self, $0) }
        lua_rawset(L, -3)
        lua_pushstring(L, "enums")
        pushEnums(L)
        lua_rawset(L, -3)
        lua_pushstring(L, "error")
        call.pushFunction("iconect.error") { try APIError.construct($0, api: .iconect) }
        lua_rawset(L, -3)
    }

    /// The seed's enumerations, from the one table the emulator uses
    /// (Emulator/Enumerations.swift): `enums.job_status = { [5] = "Completed", … }`;
    /// the Lua half adds the name → number direction.
    static let tables: [(String, [Int64: String])] = [
        ("state", Enums.state), ("database_filter", Enums.databaseFilter), ("database_type", Enums.databaseType),
        ("field_type", Enums.fieldType), ("date_format", Enums.dateFormat), ("numeric_format", Enums.numericFormat),
        ("currency_format", Enums.currencyFormat), ("time_format", Enums.timeFormat),
        ("duration_format", Enums.durationFormat), ("panel_type", Enums.panelType), ("job_type", Enums.jobType),
        ("job_status", Enums.jobStatus), ("job_state", Enums.jobState), ("template_type", Enums.templateType),
    ]

    /// Pushes `{ job_status = { [0] = "Not_Started", … }, … , terminal_job_statuses = { 2, 3, … } }`.
    static func pushEnums(_ L: OpaquePointer) {
        lua_createtable(L, 0, Int32(tables.count + 1))
        for (name, members) in tables {
            lua_pushstring(L, name)
            lua_createtable(L, 0, Int32(members.count))
            for (number, member) in members {
                lua_pushinteger(L, lua_Integer(number))
                lua_pushstring(L, member)
                lua_rawset(L, -3)
            }
            lua_rawset(L, -3)
        }
        lua_pushstring(L, "terminal_job_statuses")
        let terminal = JobStatus.terminal.sorted()
        lua_createtable(L, Int32(terminal.count), 0)
        for (i, status) in terminal.enumerated() {
            lua_pushinteger(L, lua_Integer(status))
            lua_rawseti(L, -2, lua_Integer(i + 1))
        }
        lua_rawset(L, -3)
    }
}
