import CLuaShim
import LunetBridge

/// `lunet.json` — placeholder registration; the codec lives beside it.
enum JSONModule {
    static func open(_ call: LuaCall) throws -> Int32 {
        lua_createtable(call.L, 0, 8)
        return 1
    }
}
