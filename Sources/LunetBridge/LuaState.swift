import CLuaShim

/// Owns one `lua_State` and everything the host keeps beside it.
///
/// A `LuaState` is confined to the thread that created it: Lua states are not
/// thread-safe, and the only things other threads may do are the
/// async-signal-safe interrupts of `InterruptHandle`.
///
/// Swift enters Lua only through protected calls (`call`, `load`); Lua enters
/// Swift only through the trampoline (see `HostFunction`). Nothing else in
/// this module calls a Lua API function that can raise.
public final class LuaState {
    public let L: OpaquePointer
    /// Services a runtime attaches to the state (scheduler, HTTP, ...),
    /// reachable from any host call through `LuaCall.state`.
    public var extensions: [ObjectIdentifier: AnyObject] = [:]

    public init() {
        HostFunction.installCallbacks()
        guard let L = lunet_newstate() else { fatalError("lunet: cannot create a Lua state (out of memory)") }
        self.L = L
        // Unretained: the state must not keep its own owner alive.
        lunet_gethost(L).pointee.owner = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit { lunet_close(L) }

    /// The `LuaState` that owns `L` (any thread of it).
    public static func owner(of L: OpaquePointer) -> LuaState {
        Unmanaged<LuaState>.fromOpaque(lunet_gethost(L).pointee.owner).takeUnretainedValue()
    }

    public func extension_<T: AnyObject>(_ type: T.Type) -> T? {
        extensions[ObjectIdentifier(type)] as? T
    }

    public func attach<T: AnyObject>(_ service: T) {
        extensions[ObjectIdentifier(T.self)] = service
    }

    public var top: Int32 {
        get { lua_gettop(L) }
        set { lua_settop(L, newValue) }
    }

    // MARK: Loading and calling

    /// Compile `source` and push the chunk. `name` follows Lua's convention:
    /// "@path" for files (errors read "path:12: ..."), "=name" verbatim.
    public func load(_ source: some Collection<UInt8>, name: String, mode: String = "bt") throws(LuaScriptError) {
        let status = source.withContiguousStorageIfAvailable { buf in
            buf.withMemoryRebound(to: CChar.self) { lunet_loadbuffer(L, $0.baseAddress, $0.count, name, mode) }
        } ?? Array(source).withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) { lunet_loadbuffer(L, $0.baseAddress, $0.count, name, mode) }
        }
        if status != LUA_OK { throw popError(status: status, withTraceback: false) }
    }

    public func load(_ source: String, name: String, mode: String = "bt") throws(LuaScriptError) {
        try load(Array(source.utf8), name: name, mode: mode)
    }

    /// Call the function below `nargs` arguments, protected, with a traceback
    /// recorded on failure. Results are left on the stack.
    public func call(nargs: Int32 = 0, nresults: Int32 = LUA_MULTRET) throws(LuaScriptError) {
        let status = lunet_pcall(L, nargs, nresults)
        if status != LUA_OK { throw popError(status: status, withTraceback: true) }
    }

    /// Load and run a chunk, discarding its results.
    public func run(_ source: String, name: String = "=(lunet)") throws(LuaScriptError) {
        let base = top
        try load(source, name: name)
        try call(nresults: 0)
        top = base
    }

    private func popError(status: Int32, withTraceback: Bool) -> LuaScriptError {
        var length = 0
        let message = lunet_safetostring(L, -1, &length).map {
            String(decoding: UnsafeRawBufferPointer(start: $0, count: length), as: UTF8.self)
        } ?? "?"
        lunet_pop(L, 1)
        var traceback: String? = nil
        if withTraceback {
            lunet_pushtraceback(L)
            if let t = lua_tolstring(L, -1, nil) { traceback = String(cString: t) }
            lunet_pop(L, 1)
        }
        let reason = lunet_gethost(L).pointee.interrupt
        lunet_pop(L, 1)  // the error value
        return LuaScriptError(
            message: message, traceback: traceback, kind: LuaScriptError.Kind(status: status, interrupt: reason))
    }

    // MARK: Globals and modules

    /// Pop the top value into global `name` (raw: no metamethods run).
    public func setGlobal(_ name: String) {
        lunet_pushglobaltable(L)
        lua_pushstring(L, name)
        lua_rotate(L, -3, -1)  // table key value
        lua_rawset(L, -3)
        lunet_pop(L, 1)
    }

    /// Push global `name` (raw).
    @discardableResult
    public func getGlobal(_ name: String) -> Int32 {
        lunet_pushglobaltable(L)
        lua_pushstring(L, name)
        let type = lua_rawget(L, -2)
        lua_rotate(L, -2, -1)
        lunet_pop(L, 1)
        return type
    }

    /// Register `open` as `package.preload[name]`: `require(name)` calls it
    /// once and caches the value it returns.
    public func preload(_ name: String, open: @escaping (LuaCall) throws -> Int32) {
        getGlobal("package")
        lua_pushstring(L, "preload")
        lua_rawget(L, -2)
        lua_pushstring(L, name)
        push(HostFunction(name: "require '\(name)'", body: open))
        lua_rawset(L, -3)
        lunet_pop(L, 2)
    }

    public func push(_ function: HostFunction) {
        lunet_pushhostfunction(L, Unmanaged.passRetained(function).toOpaque())
    }

    /// Push a Swift function callable from Lua.
    public func pushFunction(_ name: String, _ body: @escaping (LuaCall) throws -> Int32) {
        push(HostFunction(name: name, body: body))
    }

    // MARK: Interrupts

    public var interruptHandle: InterruptHandle { InterruptHandle(L: L) }

    /// Clear a pending interrupt (after the host regained control).
    public func clearInterrupt() { lunet_clearinterrupt(L) }

    /// Memory in use by Lua, in bytes.
    public var memoryInUse: Int {
        Int(lunet_gc_countkb(L)) * 1024 + Int(lunet_gc_countb(L))
    }

    public func collectGarbage() { _ = lunet_gc_collect(L) }
}

/// A failure of a chunk run from Swift: its message (tostring of the error
/// value), the Lua traceback, and why it failed.
public struct LuaScriptError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        case syntax, runtime, interrupted, timedOut, memory, other
        public init(status: Int32, interrupt: sig_atomic_t) {
            if interrupt == LUNET_INTERRUPT_SIGNAL { self = .interrupted; return }
            if interrupt == LUNET_INTERRUPT_TIMEOUT { self = .timedOut; return }
            switch status {
            case LUA_ERRSYNTAX: self = .syntax
            case LUA_ERRRUN: self = .runtime
            case LUA_ERRMEM: self = .memory
            default: self = .other
            }
        }
    }
    public var message: String
    public var traceback: String?
    public var kind: Kind
    public var description: String { message }

    public init(message: String, traceback: String?, kind: Kind) {
        self.message = message
        self.traceback = traceback
        self.kind = kind
    }
}

/// The one thing other threads may do to a state: ask it to stop.
/// `lunet_interrupt` only stores a flag and installs a hook (the same thing
/// `lua.c` does from its signal handler), so this is safe from any thread.
public struct InterruptHandle: @unchecked Sendable {
    let L: OpaquePointer
    public func interrupt(timeout: Bool = false, message: String? = nil) {
        if let message { lunet_setinterruptmessage(L, message) }
        lunet_interrupt(L, timeout ? LUNET_INTERRUPT_TIMEOUT : LUNET_INTERRUPT_SIGNAL)
    }
    public var isPending: Bool { lunet_gethost(L).pointee.interrupt != LUNET_INTERRUPT_NONE }
    public var message: String {
        withUnsafeBytes(of: lunet_gethost(L).pointee.interrupt_message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }
}
