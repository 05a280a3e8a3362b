-- Tests for lunet.json (Sources/LunetRuntime/JSON).
-- Run: lunet run Tests/lua/harness.lua Tests/lua/json_test.lua
local json = require "lunet.json"

-- The message of the error fn raises, from "json.xxx(): " on (the caller's
-- "file:line: " prefix removed).
local function err_of(fn, ...)
  local ok, e = pcall(fn, ...)
  assert(not ok, "expected an error")
  e = tostring(e)
  local at = e:find("json%.%a+%(%): ")
  return at and e:sub(at) or e
end

local function decode_error(text) return err_of(json.decode, text) end
local function encode_error(v, opts) return err_of(json.encode, v, opts) end

local function enc(v) return json.encode(v, { sort_keys = true }) end

local function is_array(t) return (getmetatable(t) or {}).__jsontype == "array" end

describe("json module", function()
  it("has decode, encode, null, array, object", function()
    assert.equals("function", type(json.decode))
    assert.equals("function", type(json.encode))
    assert.equals("function", type(json.array))
    assert.equals("function", type(json.object))
    assert.equals("userdata", type(json.null))
  end)

  it("require returns the same table twice", function()
    assert.equals(json, require "lunet.json")
  end)

  it("json.null is the NULL light userdata (equal to cjson.null)", function()
    local ok, cjson = pcall(require, "cjson")
    if ok then assert.truthy(json.null == cjson.null) end
    assert.equals("null", json.encode(json.null))
    assert.equals(json.null, json.decode("null"))
  end)
end)

describe("decode: values", function()
  it("decodes scalars", function()
    assert.equals(true, json.decode("true"))
    assert.equals(false, json.decode("false"))
    assert.equals(json.null, json.decode(" null "))
    assert.equals("abc", json.decode('"abc"'))
    assert.equals(42, json.decode("42"))
    assert.equals(-1.5, json.decode("-1.5"))
  end)

  it("decodes a record", function()
    local t = json.decode([[ {"id": 7, "name": "Ada", "tags": ["a", "b"], "geo": {"lat": 1.25, "lng": -2.5},
      "ok": true, "gone": null} ]])
    assert.same({ id = 7, name = "Ada", tags = { "a", "b" }, geo = { lat = 1.25, lng = -2.5 }, ok = true, gone = json.null }, t)
  end)

  it("accepts only RFC 8259 whitespace", function()
    assert.same({ 1, 2 }, json.decode(" \t\r\n[ 1 ,\n\t2 ]\r\n "))
    assert.equals("json.decode(): unexpected character '\\x0C' at byte 1", decode_error("\f1"))
    assert.equals("json.decode(): unexpected character '\\x0B' at byte 2", decode_error("[\v1]"))
  end)

  it("keeps the last of duplicate keys", function()
    assert.same({ a = 3, b = 2 }, json.decode('{"a":1,"b":2,"a":3}'))
  end)

  it("decodes deep nesting up to 1000 levels", function()
    local t = json.decode(string.rep("[", 1000) .. string.rep("]", 1000))
    local depth = 0
    while type(t) == "table" do depth = depth + 1; t = t[1] end
    assert.equals(1000, depth)
    local o = json.decode(string.rep('{"a":', 999) .. "[]" .. string.rep("}", 999))
    assert.equals("table", type(o.a.a.a))
  end)

  it("does not confuse an embedded NUL with the end", function()
    assert.equals("a\0b", json.decode('"a\\u0000b"'))
    assert.equals("json.decode(): control character in string at byte 3", decode_error('"a\0b"'))
    assert.equals("json.decode(): trailing garbage at byte 4", decode_error("[1]\0"))
  end)
end)

describe("decode: numbers", function()
  it("keeps integers as integers", function()
    assert.equals("integer", math.type(json.decode("0")))
    assert.equals("integer", math.type(json.decode("-12")))
    assert.equals(9007199254740993, json.decode("9007199254740993")) -- 2^53 + 1, exact
    assert.equals(math.maxinteger, json.decode("9223372036854775807"))
    assert.equals(math.mininteger, json.decode("-9223372036854775808"))
    assert.equals("integer", math.type(json.decode("-9223372036854775808")))
  end)

  it("turns integers beyond Int64 into floats", function()
    assert.equals(9223372036854775808.0, json.decode("9223372036854775808"))
    assert.equals("float", math.type(json.decode("9223372036854775808")))
    assert.equals(-9223372036854775809.0, json.decode("-9223372036854775809"))
    assert.equals(1e30, json.decode("1000000000000000000000000000000"))
  end)

  it("reads fractions and exponents as floats", function()
    assert.equals(5.0, json.decode("5.0"))
    assert.equals("float", math.type(json.decode("5.0")))
    assert.equals("float", math.type(json.decode("5e0")))
    assert.equals(150.0, json.decode("1.5E2"))
    assert.equals(0.015, json.decode("1.5e-2"))
    assert.equals(1e+21, json.decode("1e+21"))
    assert.equals(0.1 + 0.2, json.decode("0.30000000000000004"))
    assert.equals(2.2250738585072014e-308, json.decode("2.2250738585072014e-308"))
    assert.equals(5e-324, json.decode("4.9406564584124654e-324"))
    assert.equals(0.0, json.decode("1e-400"))
    assert.equals(1.7976931348623157e308, json.decode("1.7976931348623157e308"))
  end)

  it("rounds like strtod on long and awkward inputs", function()
    for _, s in ipairs({ "0.1", "123.456", "9007199254740993.0", "3.141592653589793238462643383279",
      "1.00000000000000011102230246251565404236316680908203125", "7.2057594037927933e16",
      "0.000001", "123456789012345678901234567890e-10", "89255.0e-22", "4.35679e-10" }) do
      assert.equals(tonumber(s), json.decode(s), s)
    end
  end)

  it("decodes -0 and -0.0 as the float -0.0", function()
    local z = json.decode("-0")
    assert.equals("float", math.type(z))
    assert.equals(-math.huge, 1 / z)
    assert.equals(-math.huge, 1 / json.decode("-0.0"))
    assert.equals("integer", math.type(json.decode("0")))
  end)

  it("raises on numbers out of range", function()
    assert.equals("json.decode(): number out of range at byte 1", decode_error("1e400"))
    assert.equals("json.decode(): number out of range at byte 2", decode_error("[-1e400]"))
    assert.equals("json.decode(): number out of range at byte 6", decode_error('{"a":' .. "1" .. string.rep("0", 400) .. "}"))
  end)
end)

describe("decode: strings", function()
  it("decodes every escape", function()
    assert.equals('"\\/\b\f\n\r\t', json.decode([["\"\\\/\b\f\n\r\t"]]))
  end)

  it("decodes \\u escapes to UTF-8", function()
    assert.equals("A", json.decode('"\\u0041"'))
    assert.equals("é", json.decode('"\\u00e9"'))
    assert.equals("é", json.decode('"\\u00E9"'))
    assert.equals("€", json.decode('"\\u20AC"'))
    assert.equals("\u{FFFF}", json.decode('"\\uFFFF"'))
  end)

  it("joins surrogate pairs", function()
    assert.equals("😀", json.decode('"\\ud83d\\ude00"'))
    assert.equals("\u{10FFFF}", json.decode('"\\uDBFF\\uDFFF"'))
    assert.equals("x𝄞y", json.decode('"x\\uD834\\uDD1Ey"'))
  end)

  it("passes raw UTF-8 through", function()
    local s = "Zürich 東京 🙂 Ελλάδα"
    assert.equals(s, json.decode('"' .. s .. '"'))
  end)

  it("keeps embedded zeros", function()
    local s = json.decode('"a\\u0000b\\u0000"')
    assert.equals(4, #s)
    assert.equals("a\0b\0", s)
  end)

  it("decodes long strings with and without escapes", function()
    local long = string.rep("abcdefghij", 10000)
    assert.equals(long, json.decode('"' .. long .. '"'))
    assert.equals(long .. "\n" .. long, json.decode('"' .. long .. "\\n" .. long .. '"'))
  end)
end)

describe("decode: null, arrays and objects", function()
  it("decodes null in arrays as json.null, without holes", function()
    local t = json.decode("[1, null, 3, null]")
    assert.equals(4, #t)
    assert.equals(json.null, t[2])
    assert.equals(json.null, t[4])
  end)

  it("decodes null in objects as json.null", function()
    local t = json.decode('{"a": null}')
    assert.equals(json.null, t.a)
  end)

  it("marks every decoded array, and no object", function()
    local t = json.decode('{"a": [], "b": [1, [2]], "c": {}}')
    assert.truthy(is_array(t.a))
    assert.truthy(is_array(t.b))
    assert.truthy(is_array(t.b[2]))
    assert.equals(nil, getmetatable(t))
    assert.equals(nil, getmetatable(t.c))
  end)

  it("keeps empty arrays and objects apart through decode and encode", function()
    assert.equals('{"a":[],"b":{}}', enc(json.decode('{"a":[],"b":{}}')))
    assert.equals("[]", json.encode(json.decode("[]")))
    assert.equals("{}", json.encode(json.decode("{}")))
    assert.equals("[[],{}]", json.encode(json.decode("[[],{}]")))
  end)

  it("encodes a decoded array that became empty as []", function()
    local t = json.decode("[1, 2]")
    t[1], t[2] = nil, nil
    assert.equals("[]", json.encode(t))
  end)
end)

describe("decode: errors", function()
  local cases = {
    -- empty input
    { "", "unexpected end of input at byte 1" },
    { "   ", "unexpected end of input at byte 1" },
    { "\n\t", "unexpected end of input at byte 1" },
    -- truncated containers and strings
    { "[", "unexpected end of input at byte 2" },
    { "[1,2", "unexpected end of input at byte 5" },
    { "[1,", "unexpected end of input at byte 4" },
    { '{"a":1', "unexpected end of input at byte 7" },
    { '{"a"', "unexpected end of input at byte 5" },
    { '{"a":', "unexpected end of input at byte 6" },
    { "{", "unexpected end of input at byte 2" },
    { '"abc', "unexpected end of input at byte 5" },
    { '"abc\\', "unexpected end of input at byte 6" },
    { '"\\u12', "unexpected end of input at byte 6" },
    { '"\\uD83D', "unexpected end of input at byte 8" },
    { '"a\xC3', "unexpected end of input at byte 4" },
    -- literals
    { "tru", "unexpected end of input at byte 4" },
    { "nul", "unexpected end of input at byte 4" },
    { "fals", "unexpected end of input at byte 5" },
    { "trUe", "unexpected character 'U' at byte 3" },
    { "[nil]", "unexpected character 'i' at byte 3" },
    { "True", "unexpected character 'T' at byte 1" },
    { "NaN", "unexpected character 'N' at byte 1" },
    { "[Infinity]", "unexpected character 'I' at byte 2" },
    { "undefined", "unexpected character 'u' at byte 1" },
    -- numbers
    { "01", "invalid number at byte 2" },
    { "-01", "invalid number at byte 3" },
    { "1.", "invalid number at byte 3" },
    { "[1.]", "invalid number at byte 4" },
    { "1.e5", "invalid number at byte 3" },
    { ".5", "unexpected character '.' at byte 1" },
    { "-", "invalid number at byte 2" },
    { "-a", "invalid number at byte 2" },
    { "1e", "invalid number at byte 3" },
    { "1e+", "invalid number at byte 4" },
    { "1E-x", "invalid number at byte 4" },
    { "+1", "unexpected character '+' at byte 1" },
    { "0x10", "trailing garbage at byte 2" },
    { "1 2", "trailing garbage at byte 3" },
    -- strings
    { '"a\tb"', "control character in string at byte 3" },
    { '["ok", "line\nbreak"]', "control character in string at byte 13" },
    { '"\x1F"', "control character in string at byte 2" },
    { '"\\q"', "invalid escape '\\q' at byte 2" },
    { '"ab\\x41"', "invalid escape '\\x' at byte 4" },
    { '"\\\1"', "invalid escape at byte 2" },
    { '"\\u12G4"', "invalid \\u escape at byte 2" },
    { '"\\u"', "invalid \\u escape at byte 2" },
    { '"\\uD800"', "lone surrogate \\uD800 at byte 2" },
    { '"ab\\ud83dx"', "lone surrogate \\uD83D at byte 4" },
    { '"\\uDC00\\uD800"', "lone surrogate \\uDC00 at byte 2" },
    { '"\\uD800\\u0041"', "lone surrogate \\uD800 at byte 2" },
    { '"\\uD800\\uD800"', "lone surrogate \\uD800 at byte 2" },
    { '"\\uD800\\uZZZZ"', "invalid \\u escape at byte 8" },
    { "'a'", "unexpected character ''' at byte 1" },
    -- invalid UTF-8
    { '"\xFF"', "invalid UTF-8 at byte 2" },
    { '"ab\x80"', "invalid UTF-8 at byte 4" },
    { '"\xC0\xAF"', "invalid UTF-8 at byte 2" },            -- overlong '/'
    { '"\xE0\x80\xAF"', "invalid UTF-8 at byte 2" },        -- overlong, 3 bytes
    { '"\xF0\x80\x80\xAF"', "invalid UTF-8 at byte 2" },    -- overlong, 4 bytes
    { '"x\xED\xA0\x80"', "invalid UTF-8 at byte 3" },       -- encoded surrogate U+D800
    { '"\xF4\x90\x80\x80"', "invalid UTF-8 at byte 2" },    -- U+110000
    { '"\xF5\x80\x80\x80"', "invalid UTF-8 at byte 2" },
    { '"\xE2\x82"', "invalid UTF-8 at byte 2" },            -- truncated sequence
    { '"\xC3x"', "invalid UTF-8 at byte 2" },
    { '"a\\n\xFE"', "invalid UTF-8 at byte 5" },            -- after an escape
    { '\xEF\xBB\xBF[]', "unexpected character '\\xEF' at byte 1" }, -- BOM
    -- structure
    { "[1] x", "trailing garbage at byte 5" },
    { "[1]]", "trailing garbage at byte 4" },
    { "{}}", "trailing garbage at byte 3" },
    { "[1,]", "trailing comma before ']' at byte 4" },
    { "[1, ]", "trailing comma before ']' at byte 5" },
    { '{"a":1,}', "trailing comma before '}' at byte 8" },
    { "[,1]", "unexpected character ',' at byte 2" },
    { "[1 2]", "expected ',' or ']' after array item at byte 4" },
    { "[1:2]", "expected ',' or ']' after array item at byte 3" },
    { '{"a" 1}', "expected ':' after object key at byte 6" },
    { '{"a",1}', "expected ':' after object key at byte 5" },
    { '{"a":1 "b":2}', "expected ',' or '}' after object member at byte 8" },
    { '{"a":1]', "expected ',' or '}' after object member at byte 7" },
    { "{1:2}", "expected a string as object key at byte 2" },
    { "{a:1}", "expected a string as object key at byte 2" },
    { "{'a':1}", "expected a string as object key at byte 2" },
    { '{"a":}', "unexpected character '}' at byte 6" },
    { "]", "unexpected character ']' at byte 1" },
    { "\0", "unexpected character '\\x00' at byte 1" },
    -- depth
    { string.rep("[", 1001) .. string.rep("]", 1001), "nesting deeper than 1000 levels at byte 1001" },
    { string.rep('{"a":', 1001) .. "1" .. string.rep("}", 1001), "nesting deeper than 1000 levels at byte 5001" },
    { string.rep("[", 5000), "nesting deeper than 1000 levels at byte 1001" },
  }
  for _, case in ipairs(cases) do
    local input, expected = case[1], case[2]
    it(string.format("%q -> %s", #input > 40 and input:sub(1, 20) .. "..." or input, expected), function()
      assert.equals("json.decode(): " .. expected, decode_error(input))
    end)
  end

  it("prefixes the caller's position", function()
    local ok, e = pcall(function() return json.decode("[") end)
    assert.falsy(ok)
    -- the chunk name is the path the file was loaded by (relative or absolute)
    assert.matches("^[^:]*json_test%.lua:%d+: json%.decode%(%): unexpected end of input at byte 2$", e)
  end)

  it("restarts the GC after a failed decode", function()
    assert.truthy(collectgarbage("isrunning"))
    pcall(json.decode, '[1, 2, {"a": [3, "x\\q"]}]')
    assert.truthy(collectgarbage("isrunning"))
    pcall(json.decode, string.rep("[", 2000))
    assert.truthy(collectgarbage("isrunning"))
    json.decode("[1]")
    assert.truthy(collectgarbage("isrunning"))
  end)

  it("leaves a stopped GC stopped", function()
    collectgarbage("stop")
    json.decode("[1]")
    pcall(json.decode, "[")
    local running = collectgarbage("isrunning")
    collectgarbage("restart")
    assert.falsy(running)
  end)

  it("checks its argument", function()
    assert.equals("json.decode(): bad argument #1 (string expected, got nil)", err_of(json.decode, nil))
    assert.equals("json.decode(): bad argument #1 (string expected, got no value)", err_of(json.decode))
    assert.equals("json.decode(): bad argument #1 (string expected, got number)", err_of(json.decode, 12))
    assert.equals("json.decode(): bad argument #1 (string expected, got table)", err_of(json.decode, {}))
  end)
end)

describe("encode: values", function()
  it("encodes scalars", function()
    assert.equals("true", json.encode(true))
    assert.equals("false", json.encode(false))
    assert.equals("null", json.encode(nil))
    assert.equals("null", json.encode())
    assert.equals("null", json.encode(json.null))
    assert.equals('"hi"', json.encode("hi"))
  end)

  it("writes integers in decimal", function()
    assert.equals("0", json.encode(0))
    assert.equals("-7", json.encode(-7))
    assert.equals("1234567890", json.encode(1234567890))
    assert.equals("9223372036854775807", json.encode(math.maxinteger))
    assert.equals("-9223372036854775808", json.encode(math.mininteger))
    assert.equals("9007199254740993", json.encode(9007199254740993))
  end)

  it("writes floats in the shortest form that reads back, always as floats", function()
    assert.equals("5.0", json.encode(5.0))
    assert.equals("-2.5", json.encode(-2.5))
    assert.equals("0.1", json.encode(0.1))
    assert.equals("0.30000000000000004", json.encode(0.1 + 0.2))
    assert.equals("123.456", json.encode(123.456))
    assert.equals("0.0001", json.encode(0.0001))
    assert.equals("1e-05", json.encode(0.00001))
    assert.equals("1e+20", json.encode(1e20))
    assert.equals("1e+300", json.encode(1e300))
    assert.equals("-0.0", json.encode(-0.0))
    assert.equals("0.0", json.encode(0.0))
    assert.equals("9007199254740992.0", json.encode(2.0 ^ 53))
    assert.equals("9.223372036854776e+18", json.encode(2.0 ^ 63))
    assert.equals("5e-324", json.encode(4.9406564584124654e-324))
    assert.equals("1.7976931348623157e+308", json.encode(1.7976931348623157e308))
  end)

  it("round-trips floats exactly and keeps their type", function()
    local values = { 0.1 + 0.2, 1 / 3, 2 / 3, math.pi, -math.pi, 1e-7, 123456.789, 5.0, -0.0,
      2.0 ^ 53, 2.0 ^ 53 + 2, 1e15, 1e16, 1e22, 1e23, 9.999999999999999e22, 4.35679e-10, 0.5, 100.0 }
    for _, v in ipairs(values) do
      local back = json.decode(json.encode(v))
      assert.equals(v, back, string.format("%.17g", v))
      assert.equals("float", math.type(back), string.format("%.17g", v))
    end
    local seed = 12345
    for _ = 1, 5000 do
      seed = (seed * 1103515245 + 12345) % 2147483648
      local v = (seed / 2147483648 - 0.5) * 10 ^ (seed % 40 - 20)
      local back = json.decode(json.encode(v))
      assert.equals(v, back, string.format("%.17g", v))
    end
  end)

  it("round-trips integers and keeps their type", function()
    for _, v in ipairs({ 0, 1, -1, 2 ^ 53 | 1, math.maxinteger, math.mininteger, 1000000 }) do
      local back = json.decode(json.encode(v))
      assert.equals(v, back)
      assert.equals("integer", math.type(back))
    end
  end)

  it("escapes quotes, backslashes and control characters only", function()
    assert.equals([["a\"b\\c/d"]], json.encode('a"b\\c/d'))
    assert.equals([["\b\f\n\r\t"]], json.encode("\b\f\n\r\t"))
    assert.equals('"\\u0000\\u0001\\u001f\127"', json.encode("\0\1\31\127"))
    assert.equals('"Zürich 東京 🙂"', json.encode("Zürich 東京 🙂"))
  end)

  it("round-trips every byte sequence that is valid UTF-8", function()
    local parts = {}
    for c = 0, 127 do parts[#parts + 1] = string.char(c) end
    parts[#parts + 1] = utf8.char(0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF, 0xE000)
    local s = table.concat(parts)
    assert.equals(s, json.decode(json.encode(s)))
    local long = string.rep("x\"y\n", 5000) .. string.rep("é", 5000)
    assert.equals(long, json.decode(json.encode(long)))
  end)

  it("round-trips records", function()
    local records = {}
    for i = 1, 50 do
      records[i] = {
        id = i, externalId = string.format("ext-%04d", i), title = "Café \"" .. i .. "\"\n",
        score = i / 7, active = i % 2 == 0, deleted = json.null,
        address = { city = "Zürich", geo = { lat = 47.37 + i / 1000, lng = 8.54 } },
        tags = json.array({ "a", "b" }), empty = json.array(), meta = {},
      }
    end
    local text = enc(records)
    local back = json.decode(text)
    assert.equals(50, #back)
    assert.equals(text, enc(back))
    assert.same(json.decode(json.encode(records)), back)
    assert.equals(records[17].score, back[17].score)
    assert.equals(records[17].title, back[17].title)
    assert.equals(json.null, back[3].deleted)
    assert.equals("[]", json.encode(back[1].empty))
    assert.equals("{}", json.encode(back[1].meta))
  end)
end)

describe("encode: arrays and objects", function()
  it("writes an unmarked empty table as {}", function()
    assert.equals("{}", json.encode({}))
  end)

  it("writes unmarked tables with keys 1..n as arrays", function()
    assert.equals("[1,2,3]", json.encode({ 1, 2, 3 }))
    assert.equals('["a",true,null]', json.encode({ "a", true, json.null }))
    -- keys 1..n stored in the hash part, inserted out of order
    local t = {}
    t[3] = "c"; t[1] = "a"; t[2] = "b"
    assert.equals('["a","b","c"]', json.encode(t))
    local big = {}
    for i = 1, 1000 do big[i] = i end
    assert.equals("[" .. table.concat(big, ",") .. "]", json.encode(big))
  end)

  it("writes unmarked tables with string keys as objects", function()
    assert.equals('{"a":1}', json.encode({ a = 1 }))
    assert.equals('{"a":1,"b":{"c":[1]}}', enc({ a = 1, b = { c = { 1 } } }))
  end)

  it("json.array marks tables as arrays", function()
    local t = { 1, 2 }
    assert.equals(t, json.array(t))
    assert.truthy(is_array(t))
    assert.equals("[]", json.encode(json.array({})))
    assert.equals("[]", json.encode(json.array()))
    assert.equals("[]", json.encode(json.array(nil)))
    assert.equals("[1,2]", json.encode(t))
    assert.equals('{"a":[]}', json.encode({ a = json.array() }))
  end)

  it("json.object marks tables as objects, integer keys become strings", function()
    assert.equals("{}", json.encode(json.object()))
    assert.equals('{"1":"a","2":"b"}', enc(json.object({ "a", "b" })))
    assert.equals('{"10":true,"x":1}', enc(json.object({ [10] = true, x = 1 })))
    assert.equals('{"-3":0}', json.encode(json.object({ [-3] = 0 })))
    assert.equals("object", getmetatable(json.object()).__jsontype)
  end)

  it("switches a marked table between array and object", function()
    local t = json.decode("[1]")
    json.object(t)
    assert.equals('{"1":1}', json.encode(t))
    json.array(t)
    assert.equals("[1]", json.encode(t))
  end)

  it("shares the marker metatables", function()
    assert.equals(getmetatable(json.array()), getmetatable(json.array()))
    assert.equals(getmetatable(json.array()), getmetatable(json.decode("[]")))
    assert.equals(getmetatable(json.object()), getmetatable(json.object()))
  end)

  it("honours __jsontype in other metatables", function()
    local A = { __jsontype = "array", __index = {} }
    local O = { __jsontype = "object" }
    assert.equals("[]", json.encode(setmetatable({}, A)))
    assert.equals('{"1":2}', json.encode(setmetatable({ 2 }, O)))
    assert.equals('{"x":1}', json.encode(setmetatable({ x = 1 }, { __index = function() error("no") end })))
  end)

  it("refuses to replace a foreign metatable", function()
    local e = err_of(json.array, setmetatable({}, {}))
    assert.equals('json.array(): bad argument #1 (table already has a metatable; set __jsontype = "array" in it instead)', e)
    assert.equals("json.object(): bad argument #1 (table or nil expected, got number)", err_of(json.object, 3))
  end)

  it("ignores __index, __pairs and __len", function()
    local t = setmetatable({ 1, 2 }, { __len = function() return 10 end, __pairs = function() error("no") end,
      __jsontype = "array" })
    assert.equals("[1,2]", json.encode(t))
  end)

  it("sorts object keys byte-wise with sort_keys", function()
    local t = { b = 1, a = 2, B = 3, ["é"] = 4, aa = 5, [""] = 6 }
    assert.equals('{"":6,"B":3,"a":2,"aa":5,"b":1,"é":4}', json.encode(t, { sort_keys = true }))
    assert.equals('{"10":1,"2":2,"a":3}', json.encode(json.object({ [10] = 1, [2] = 2, a = 3 }), { sort_keys = true }))
    assert.equals('{"a":{"x":1,"y":2},"b":[{"c":1,"d":2}]}',
      json.encode({ b = { { d = 2, c = 1 } }, a = { y = 2, x = 1 } }, { sort_keys = true }))
  end)

  it("does not sort without sort_keys, but writes every key once", function()
    local t = {}
    for i = 1, 100 do t["k" .. i] = i end
    local back = json.decode(json.encode(t))
    assert.same(t, back)
  end)

  it("pretty-prints", function()
    local v = { name = "x", list = { 1, 2, { a = json.null } }, empty = json.array(), none = {}, n = 1.5 }
    local expected = table.concat({
      "{",
      '  "empty": [],',
      '  "list": [',
      "    1,",
      "    2,",
      "    {",
      '      "a": null',
      "    }",
      "  ],",
      '  "n": 1.5,',
      '  "name": "x",',
      '  "none": {}',
      "}",
    }, "\n")
    assert.equals(expected, json.encode(v, { pretty = true, sort_keys = true }))
    assert.equals("[\n\t1,\n\t[\n\t\t2\n\t]\n]", json.encode({ 1, { 2 } }, { pretty = true, indent = "\t" }))
    assert.equals("[\n1\n]", json.encode({ 1 }, { pretty = true, indent = "" }))
    assert.equals("3", json.encode(3, { pretty = true }))
    assert.equals("[]", json.encode(json.array(), { pretty = true }))
    assert.equals("[1]", json.encode({ 1 }, { indent = "    " }))
  end)

  it("pretty output reads back", function()
    local v = json.decode('{"a":[1,{"b":[]}],"c":"d"}')
    assert.equals(enc(v), enc(json.decode(json.encode(v, { pretty = true }))))
  end)
end)

describe("encode: errors", function()
  it("detects direct and indirect cycles", function()
    local t = {}
    t.self = t
    assert.equals("json.encode(): table cycle at $.self", encode_error(t))
    local a = { b = {} }
    a.b.c = a
    assert.equals("json.encode(): table cycle at $.b.c", encode_error(a))
    local l = { 1, {} }
    l[2][1] = l
    assert.equals("json.encode(): table cycle at $[2][1]", encode_error(l))
  end)

  it("allows the same table twice when it is not a cycle", function()
    local shared = { 1 }
    assert.equals("[[1],[1]]", json.encode({ shared, shared }))
  end)

  it("raises on NaN and infinities", function()
    assert.equals("json.encode(): cannot encode NaN at $.x", encode_error({ x = 0 / 0 }))
    assert.equals("json.encode(): cannot encode inf at $[2]", encode_error({ 1, math.huge }))
    assert.equals("json.encode(): cannot encode -inf at $", encode_error(-math.huge))
  end)

  it("raises on functions, threads and userdata", function()
    assert.equals("json.encode(): cannot encode a function at $.cb", encode_error({ cb = print }))
    assert.equals("json.encode(): cannot encode a thread at $.co[1]",
      encode_error({ co = { coroutine.create(print) } }))
    assert.equals("json.encode(): cannot encode a FILE* at $.f", encode_error({ f = io.stdout }))
    assert.equals("json.encode(): cannot encode a function at $", encode_error(print))
  end)

  it("raises on tables mixing items and string keys", function()
    assert.equals("json.encode(): table at $.items[2] mixes array items and string keys",
      encode_error({ items = { {}, { 1, 2, x = 3 } } }))
    assert.equals("json.encode(): table at $ mixes array items and string keys", encode_error({ x = 1, 5 }))
  end)

  it("raises on holes and stray integer keys", function()
    assert.equals("json.encode(): array at $.a has holes (no item 3); use json.object() to encode integer keys",
      encode_error({ a = { 1, 2, nil, 4 } }))
    assert.equals("json.encode(): array at $ has holes (no item 1); use json.object() to encode integer keys",
      encode_error({ [2] = "x" }))
    assert.equals("json.encode(): table at $ has the integer key 0, which is not an array index; "
      .. "use json.object() to encode integer keys", encode_error({ [0] = "x" }))
    assert.equals("json.encode(): array at $ has holes (no item 2)", encode_error(json.array({ 1, nil, 3 })))
    assert.equals('json.encode(): array at $.t has a key that is not an index ("name"); arrays take only the keys 1..n',
      encode_error({ t = json.array({ 1, name = "x" }) }))
  end)

  it("raises on bad key types", function()
    assert.equals("json.encode(): cannot use a boolean as an object key at $.x", encode_error({ x = { [true] = 1 } }))
    assert.equals("json.encode(): cannot use a float as an object key at $", encode_error({ [1.5] = 1 }))
    assert.equals("json.encode(): cannot use a table as an object key at $", encode_error(json.object({ [{}] = 1 })))
    assert.equals("json.encode(): cannot use a boolean as an object key at $",
      encode_error({ a = 1, [false] = 2 }, { sort_keys = true }))
  end)

  it("raises on invalid UTF-8", function()
    assert.equals("json.encode(): invalid UTF-8 in string at $.name", encode_error({ name = "ab\xFF" }))
    assert.equals("json.encode(): invalid UTF-8 in string at $[1]", encode_error({ "\xED\xA0\x80" }))
    assert.equals("json.encode(): invalid UTF-8 in string at $", encode_error("\xC3"))
    assert.equals("json.encode(): invalid UTF-8 in string at $", encode_error("\xC0\xAF"))
    assert.equals("json.encode(): invalid UTF-8 in object key at $.a", encode_error({ a = { ["\xFF"] = 1 } }))
  end)

  it("writes paths with odd keys", function()
    assert.equals('json.encode(): cannot encode a function at $["odd key"]', encode_error({ ["odd key"] = print }))
    assert.equals('json.encode(): cannot encode a function at $["a\\"b"]', encode_error({ ['a"b'] = print }))
    assert.equals("json.encode(): cannot encode a function at $._x1", encode_error({ _x1 = print }))
    assert.equals('json.encode(): cannot encode a function at $["1a"]', encode_error({ ["1a"] = print }))
    assert.equals("json.encode(): cannot encode a function at $[7]", encode_error(json.object({ [7] = print })))
    assert.equals("json.encode(): cannot encode a function at $.a[2].b",
      encode_error({ a = { 1, { b = print } } }, { sort_keys = true }))
  end)

  it("limits nesting to 1000 levels", function()
    local t = {}
    local cur = t
    for _ = 1, 999 do cur[1] = {}; cur = cur[1] end
    assert.equals(2000, #json.encode(t))
    cur[1] = {}
    local e = encode_error(t)
    assert.matches("^json%.encode%(%): nesting deeper than 1000 levels at %$%[1%]", e)
  end)

  it("checks its options", function()
    assert.equals("json.encode(): bad argument #2 (table of options expected, got number)", err_of(json.encode, 1, 5))
    assert.matches("unknown option 'indnet'", err_of(json.encode, 1, { indnet = " " }))
    assert.equals("json.encode(): option 'pretty' must be a boolean, got string",
      err_of(json.encode, 1, { pretty = "yes" }))
    assert.equals("json.encode(): option 'indent' must be a string, got number",
      err_of(json.encode, 1, { indent = 4 }))
    assert.equals("json.encode(): option 'indent' must contain only spaces and tabs",
      err_of(json.encode, 1, { indent = "--" }))
  end)

  it("keeps the GC running after a failed encode", function()
    pcall(json.encode, { a = print })
    assert.truthy(collectgarbage("isrunning"))
  end)
end)
