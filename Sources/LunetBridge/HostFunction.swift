import CLuaShim

/// A Swift function callable from Lua.
///
/// Lua calls the C trampoline in lunet_shim.c, which calls `dispatch` below
/// with this object. The body returns how many results it pushed, or throws;
/// `dispatch` turns a thrown error into a pushed error value and a status,
/// and the trampoline raises it *after* Swift has returned, so no Lua error
/// ever unwinds through a Swift frame. Bodies must not call `lua_error`,
/// `luaL_error`, `luaL_check*`, `lua_call` or `lua_yield`, nor any API
/// function that can run a metamethod: use the raw accessors and `LuaCall`.
public final class HostFunction {
    public let name: String
    public let isMethod: Bool
    public let body: (LuaCall) throws -> Int32

    /// `name` is how errors refer to the function: "json.decode" or, for a
    /// method called with ':' (its self not counted as an argument),
    /// "cursor:collect".
    public init(name: String, isMethod: Bool? = nil, body: @escaping (LuaCall) throws -> Int32) {
        self.name = name
        self.isMethod = isMethod ?? name.contains(":")
        self.body = body
    }

    nonisolated(unsafe) private static var installed = false

    /// Hand the C side its two entry points into Swift. Idempotent; first
    /// called from `LuaState.init`, always on a thread creating a state.
    static func installCallbacks() {
        if installed { return }
        lunet_install_callbacks(dispatch, release)
        installed = true
    }
}

private let release: lunet_release_fn = { box in
    Unmanaged<AnyObject>.fromOpaque(box!).release()
}

private let dispatch: lunet_dispatch_fn = { L, box in
    let function = Unmanaged<HostFunction>.fromOpaque(box!).takeUnretainedValue()
    let call = LuaCall(L: L!, function: function)
    do {
        return try function.body(call)
    } catch let error as LuaRaisable {
        return error.raise(in: call)
    } catch {
        return LuaError.message("\(call.displayName): \(error)").raise(in: call)
    }
}

/// An error a host function can raise in Lua. `raise` pushes the error value
/// and returns `LUNET_RAISE` or `LUNET_RAISE_WHERE`.
public protocol LuaRaisable: Error {
    func raise(in call: LuaCall) -> Int32
}

/// Plain string errors raised from Swift.
public enum LuaError: LuaRaisable, CustomStringConvertible {
    /// Raised with the caller's position: "script.lua:3: json.decode(): ...".
    case message(String)
    /// Raised verbatim (already positioned, or a position makes no sense).
    case verbatim(String)

    public func raise(in call: LuaCall) -> Int32 {
        switch self {
        case .message(let text):
            call.pushString(text)
            return LUNET_RAISE_WHERE
        case .verbatim(let text):
            call.pushString(text)
            return LUNET_RAISE
        }
    }

    public var description: String {
        switch self {
        case .message(let t), .verbatim(let t): t
        }
    }
}
