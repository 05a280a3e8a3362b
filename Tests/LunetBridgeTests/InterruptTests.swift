import CLuaShim
import Dispatch
import Foundation
import Testing
@testable import LunetBridge

@Suite("Interrupts, waits and yields")
struct InterruptTests {
    func interruptLater(_ lua: LuaState, timeout: Bool = false, message: String? = nil) {
        Self.interruptLater(lua, timeout: timeout, message: message)
    }

    static func interruptLater(_ lua: LuaState, timeout: Bool = false, message: String? = nil) {
        let handle = lua.interruptHandle
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(100)) {
            handle.interrupt(timeout: timeout, message: message)
        }
    }

    @Test func runawayLoopIsInterrupted() throws {
        let lua = LuaState()
        interruptLater(lua)
        do {
            try lua.run("while true do end", name: "@spin.lua")
            Issue.record("loop ended by itself")
        } catch {
            #expect(error.kind == .interrupted)
            #expect(error.message == "spin.lua:1: interrupted")
        }
        lua.clearInterrupt()
        #expect(try lua.eval("return 1 + 1") == [2])
    }

    @Test func scriptPcallCannotSwallowAnInterrupt() throws {
        let lua = LuaState()
        interruptLater(lua, timeout: true, message: "timeout: stopped after 0.1 s")
        do {
            try lua.run("while true do pcall(function() while true do end end) end", name: "=t")
            Issue.record("loop ended by itself")
        } catch {
            #expect(error.kind == .timedOut)
            #expect(error.message.hasSuffix("timeout: stopped after 0.1 s"))
        }
    }

    // Blocking waits need a thread outside Swift's cooperative pool, as in lunet.
    @Test func blockingWaitDeliversResults() async throws {
        try await LuaThread.run { try Self.blockingWaitDeliversResults() }
    }

    static func blockingWaitDeliversResults() throws {
        let lua = LuaState()
        lua.define("slow_add") { call in
            let a = try call.integer(1), b = try call.integer(2)
            return try call.await({
                try await Task.sleep(for: .milliseconds(20))
                return a + b
            }, deliver: { call, sum in
                call.pushInteger(sum)
                return 1
            })
        }
        let r = try lua.eval("return slow_add(2, 3)")
        guard r == [5] else { throw TestFailure("slow_add returned \(r)") }
    }

    @Test func blockingWaitIsInterruptible() async throws {
        try await LuaThread.run { try Self.blockingWaitIsInterruptible() }
    }

    static func blockingWaitIsInterruptible() throws {
        let lua = LuaState()
        lua.define("forever") { call in
            try call.await({ try await Task.sleep(for: .seconds(30)); return 0 }, deliver: { _, _ in 0 })
        }
        interruptLater(lua)  // a static context: see the helper below
        let started = Date()
        do {
            try lua.run("forever()", name: "=t")
            throw TestFailure("wait ended by itself")
        } catch let error as LuaScriptError {
            guard error.kind == .interrupted else { throw TestFailure("kind \(error.kind)") }
        }
        let elapsed = Date().timeIntervalSince(started)
        guard elapsed < 5 else { throw TestFailure("interrupt took \(elapsed) s") }
    }

    /// The trampoline's yield status: C yields after Swift returned, and the
    /// C continuation returns the resume values or raises the error value.
    @Test func hostYieldAndContinuation() throws {
        let lua = LuaState()
        lua.define("host_wait") { call in
            lunet_pushyieldtag(call.L)
            return LUNET_YIELD_BASE - 1
        }
        lua.define("is_tag") { call in
            call.pushBoolean(lunet_isyieldtag(call.L, 1) != 0)
            return 1
        }
        let r = try lua.eval("""
            local co = coroutine.create(function()
              local a, b = host_wait()
              local ok, err = pcall(host_wait)
              return a + b, ok, err
            end)
            local ok1, tag = coroutine.resume(co)
            local ok2, tag2 = coroutine.resume(co, true, 40, 2)
            local ok3, sum, pok, perr = coroutine.resume(co, false, "network down")
            return ok1, is_tag(tag), ok2, is_tag(tag2), ok3, sum, pok, perr
            """)
        #expect(r == [true, true, true, true, true, 42, false, "network down"])
    }
}


struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
