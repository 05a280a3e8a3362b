import CLuaShim
import Testing
@testable import LunetBridge

final class Counter {
    var value: Int64 = 0
    let tracked: Tracked
    init(_ live: LiveCount) { tracked = Tracked("counter", live) }
}

let counterClass = LuaClass<Counter>("test.Counter", display: "counter") { c in
    c.method("add") { counter, call in
        counter.value += try call.integer(1)
        call.pushInteger(counter.value)
        return 1
    }
    c.property("value") { .integer($0.value) }
    c.tostring { "<counter \($0.value)>" }
    c.call { counter, call in
        // an iterator: 1, 2, 3, then nil
        counter.value += 1
        if counter.value > 3 { call.pushNil() } else { call.pushInteger(counter.value) }
        return 1
    }
}

@Suite("Swift objects as userdata")
struct UserdataTests {
    func makeState(_ live: LiveCount = LiveCount()) -> LuaState {
        let lua = LuaState()
        lua.define("new_counter") { call in
            call.push(Counter(live), as: counterClass)
            return 1
        }
        return lua
    }

    @Test func methodsPropertiesTostringAndCall() throws {
        let lua = makeState()
        let r = try lua.eval("""
            local c = new_counter()
            c:add(5); c:add(2)
            local s = tostring(c)
            local items = {}
            local it = new_counter()
            for i in it do items[#items + 1] = i end
            return c.value, s, #items, items[3], c.nothing, type(c.add)
            """)
        #expect(r == [7, "<counter 7>", 3, 3, .nil, "function"])
    }

    @Test func wrongSelfIsReportedLikeLua() throws {
        let lua = makeState()
        let r = try lua.eval("local c = new_counter(); return select(2, pcall(function() return c.add({}, 1) end))")
        #expect(r == ["test:1: counter:add(): bad self (test.Counter expected, got table); call it with ':'"])
        let r2 = try lua.eval("local c = new_counter(); return select(2, pcall(function() return c:add('x') end))")
        #expect(r2 == ["test:1: counter:add(): bad argument #1 (integer expected, got string)"])
    }

    @Test func typeNameUsesMetatableName() throws {
        let lua = makeState()
        lua.define("want_counter") { call in _ = try call.object(1, counterClass); return 0 }
        let r = try lua.eval("return select(2, pcall(function() return want_counter(io.stdout) end))")
        #expect(r == ["test:1: want_counter(): bad argument #1 (test.Counter expected, got FILE*)"])
    }

    @Test func gcReleasesSwiftObjects() throws {
        let live = LiveCount()
        do {
            let lua = makeState(live)
            try lua.run("for i = 1, 10000 do local c = new_counter(); c:add(i) end")
            lua.collectGarbage()
            lua.collectGarbage()
            #expect(live.value == 0)
            try lua.run("keep = { new_counter(), new_counter() }")
            #expect(live.value == 2)
        }
        // lua_close collects what was still referenced
        #expect(live.value == 0)
    }

    @Test func hostFunctionsAreReleasedWithTheirState() throws {
        let live = LiveCount()
        do {
            let lua = LuaState()
            let captured = Tracked("closure", live)
            lua.define("f") { _ in _ = captured; return 0 }
            try lua.run("f()")
        }
        #expect(live.value == 0)
    }
}
