import CLuaShim
import Testing
@testable import LunetBridge

@Suite("Lua ↔ Swift values")
struct ConversionTests {
    @Test func integersAndFloatsStayDistinct() throws {
        let lua = LuaState()
        let r = try lua.eval("return 3, 3.0, math.maxinteger, math.mininteger, -0.0, 2^53")
        #expect(r == [.integer(3), .number(3.0), .integer(Int64.max), .integer(Int64.min), .number(-0.0), .number(9007199254740992)])
        lua.define("kinds") { call in
            try call.push(.integer(7)); try call.push(.number(7)); return 2
        }
        #expect(try lua.eval("local a, b = kinds(); return math.type(a), math.type(b)") == ["integer", "float"])
    }

    @Test func stringsKeepEmbeddedZerosAndArbitraryBytes() throws {
        let lua = LuaState()
        let r = try lua.eval(#"return "a\0b\255""#)
        #expect(r == [.string(LuaString(bytes: [97, 0, 98, 255]))])
        lua.define("echo") { call in
            let v = try LuaValue.read(call.L, call.index(1))
            try call.push(v)
            return 1
        }
        #expect(try lua.eval(#"local s = echo("x\0y"); return #s, s:byte(2)"#) == [3, 0])
    }

    @Test func tablesWithArrayAndHashParts() throws {
        let lua = LuaState()
        let r = try lua.eval("return { 10, 20, 30, name = 'n', [100] = true, [2.5] = 'f' }")
        guard case .table(let t) = r[0] else { Issue.record("not a table"); return }
        #expect(t.array == [10, 20, 30])
        #expect(t["name"] == "n")
        #expect(t.fields[.integer(100)] == .boolean(true))
        #expect(t.fields[.number(2.5)] == "f")
        #expect(t.fields.count == 3)
    }

    @Test func roundTripThroughLua() throws {
        let lua = LuaState()
        let value: LuaValue = .table(LuaTable(
            array: [1, 2.5, "three", .table(LuaTable(array: [true, false]))],
            fields: ["nested": .object(["k": "v"]), .integer(10): "ten"]))
        lua.define("give") { call in try call.push(value); return 1 }
        let back = try lua.eval("local t = give(); return t")
        #expect(back == [value])
        #expect(try lua.eval("local t = give(); return #t, t[4][1], t.nested.k, t[10]") == [4, true, "v", "ten"])
    }

    @Test func holesEndTheSequenceAndTheRestAreFields() throws {
        let lua = LuaState()
        let r = try lua.eval("return { 1, 2, nil, 4 }")
        guard case .table(let t) = r[0] else { Issue.record("not a table"); return }
        #expect(t.array == [1, 2])
        #expect(t.fields == [.integer(4): 4])
    }

    @Test func unsupportedValuesCyclesAndBadKeysAreErrors() throws {
        let lua = LuaState()
        lua.define("conv") { call in
            _ = try LuaValue.read(call.L, call.index(1))
            return 0
        }
        #expect(try lua.eval("return select(2, pcall(function() return conv({ f = print }) end))") == ["test:1: conv(): cannot convert a function (at value.f)"])
        #expect(try lua.eval("local t = {}; t.self = t; return select(2, pcall(function() return conv(t) end))") == ["test:1: conv(): table cycle at value.self"])
        lua.define("badkey") { call in
            try call.push(.table(LuaTable(fields: [.number(.nan): 1])))
            return 1
        }
        #expect(try lua.eval("return select(2, pcall(function() return badkey() end))") == ["test:1: badkey(): NaN cannot be a table key"])
    }
}
