-- Tests for stdlib/lunet/inspect.lua. Run with:
--   LUA_PATH='stdlib/?.lua;;' lua5.4 Tests/lua/harness.lua Tests/lua/inspect_test.lua
local inspect = require "lunet.inspect"

local ESC = "\27"
local BULLETS = '"\u{2022}\u{2022}\u{2022}\u{2022}"'

describe("module", function()
  it("is callable and exports inspect", function()
    assert.equals("1", inspect(1))
    assert.equals("1", inspect.inspect(1))
    assert.equals("{ 1 }", inspect({ 1 }, { width = 10 }))
  end)

  it("rejects bad options", function()
    assert.has_error(function() inspect(1, "x") end, "options must be a table")
    assert.has_error(function() inspect(1, { depth = "3" }) end, "option 'depth' must be a number")
    assert.has_error(function() inspect(1, { color = 1 }) end, "option 'color' must be a boolean")
  end)
end)

describe("scalars", function()
  it("prints nil and booleans", function()
    assert.equals("nil", inspect(nil))
    assert.equals("true", inspect(true))
    assert.equals("false", inspect(false))
  end)

  it("prints integers with %d", function()
    assert.equals("0", inspect(0))
    assert.equals("-42", inspect(-42))
    assert.equals("9223372036854775807", inspect(math.maxinteger))
    assert.equals("-9223372036854775808", inspect(math.mininteger))
  end)

  it("keeps floats recognisable as floats", function()
    assert.equals("1.0", inspect(1.0))
    assert.equals("-0.0", inspect(-0.0))
    assert.equals("100.0", inspect(100.0))
    assert.equals("0.5", inspect(0.5))
    assert.equals("0.1", inspect(0.1))
    assert.equals("1e+100", inspect(1e100))
    assert.equals("2.5e-07", inspect(2.5e-7))
  end)

  it("prints floats that round-trip", function()
    assert.equals("0.33333333333333331", inspect(1 / 3))
    assert.equals("0.30000000000000004", inspect(0.1 + 0.2))
    assert.equals("9.2233720368547758e+18", inspect(2.0 ^ 63))
    for _, x in ipairs({ 1 / 3, 0.1 + 0.2, 2.0 ^ 63, 1e-300, 123456.789, math.pi }) do
      local back = load("return " .. inspect(x))()
      assert.equals(x, back)
    end
  end)

  it("spells infinities and NaN", function()
    assert.equals("math.huge", inspect(math.huge))
    assert.equals("-math.huge", inspect(-math.huge))
    assert.equals("0/0", inspect(0 / 0))
  end)
end)

describe("strings", function()
  it("double-quotes and escapes", function()
    assert.equals('"hello"', inspect("hello"))
    assert.equals('""', inspect(""))
    assert.equals([["a\"b\\c"]], inspect('a"b\\c'))
    assert.equals([["l1\nl2\r\tx"]], inspect("l1\nl2\r\tx"))
    assert.equals([["it's"]], inspect("it's"))
  end)

  it("escapes other control bytes in decimal", function()
    assert.equals([["\7\27[0m\127"]], inspect("\a\27[0m\127"))
    assert.equals([["a\0b"]], inspect("a\0b"))
    -- padded to three digits when a digit follows
    assert.equals([["\0001\0"]], inspect("\0" .. "1\0"))
  end)

  it("reads back as the same string", function()
    local s = "x\0\0019\r\n\"\\\255é"
    assert.equals(s, load("return " .. inspect(s))())
  end)

  it("keeps valid UTF-8 and escapes invalid bytes", function()
    assert.equals('"héllo → 世界 🎉"', inspect("héllo → 世界 🎉"))
    assert.equals([["\255\254"]], inspect("\255\254"))
    assert.equals([["a\195"]], inspect("a\195"))              -- truncated sequence
    assert.equals([["\192\175"]], inspect("\192\175"))        -- overlong encoding
    assert.equals([["\237\160\128"]], inspect("\237\160\128")) -- UTF-16 surrogate
    assert.equals([["\194\133"]], inspect("\194\133"))        -- C1 control (NEL)
  end)

  it("truncates long strings", function()
    assert.equals('"abcde…(5 more bytes)"', inspect("abcdefghij", { max_string = 5 }))
    assert.equals('"abcdefghij"', inspect("abcdefghij", { max_string = 10 }))
    assert.equals('"…(3 more bytes)"', inspect("abc", { max_string = 0 }))
    local long = string.rep("x", 2500)
    assert.equals('"' .. string.rep("x", 2000) .. '…(500 more bytes)"', inspect(long))
  end)

  it("does not split a UTF-8 character when truncating", function()
    assert.equals('"éé…(16 more bytes)"', inspect(string.rep("é", 10), { max_string = 5 }))
  end)
end)

describe("keys", function()
  it("recognises identifiers", function()
    assert.truthy(inspect.is_identifier("name"))
    assert.truthy(inspect.is_identifier("_x9"))
    assert.falsy(inspect.is_identifier("9x"))
    assert.falsy(inspect.is_identifier("a b"))
    assert.falsy(inspect.is_identifier("end"))
    assert.falsy(inspect.is_identifier(""))
    assert.falsy(inspect.is_identifier(1))
  end)

  it("sorts numbers, then strings, then the rest by type", function()
    local f = function() end
    local keys = inspect.sorted_keys({ b = 1, a = 2, [3] = 3, [-1.5] = 4, [true] = 5, [false] = 6, [f] = 7, ["10"] = 8 })
    assert.same({ -1.5, 3, "10", "a", "b", false, true, f }, keys)
  end)

  it("prints the array part first without keys", function()
    assert.equals('{ 1, 2, 3, n = 3 }', inspect({ 1, 2, 3, n = 3 }))
    assert.equals('{ 1, [3] = 3 }', inspect({ 1, nil, 3 }))
    assert.equals('{ [0] = "z", [5] = "e" }', inspect({ [0] = "z", [5] = "e" }))
  end)

  it("brackets non-identifier keys", function()
    assert.equals('{ [1.5] = 1, [10] = 2, _ok = 3, ["a b"] = 4, ["end"] = 5, ["x\\n"] = 6 }',
      inspect({ [10] = 2, [1.5] = 1, _ok = 3, ["a b"] = 4, ["end"] = 5, ["x\n"] = 6 }, { width = 200 }))
    assert.equals('{ [false] = 1, [true] = 2 }', inspect({ [true] = 2, [false] = 1 }))
    assert.equals('{ [{ 1 }] = "k" }', inspect({ [{ 1 }] = "k" }))
  end)
end)

describe("layout", function()
  it("prints empty tables as {}", function()
    assert.equals("{}", inspect({}))
    assert.equals("{ a = {} }", inspect({ a = {} }))
  end)

  it("keeps tables that fit on one line", function()
    assert.equals('{ a = 1, b = "x" }', inspect({ b = "x", a = 1 }))
    assert.equals('{ 1, { 2, { 3 } }, k = { v = true } }', inspect({ 1, { 2, { 3 } }, k = { v = true } }))
  end)

  it("uses exactly the width", function()
    assert.equals("{ 1, 2, 3 }", inspect({ 1, 2, 3 }, { width = 11 }))
    assert.equals("{\n  1, 2, 3\n}", inspect({ 1, 2, 3 }, { width = 10 }))
  end)

  it("breaks wide tables over several lines", function()
    local t = {
      id = 12, name = "HG", tags = { "a", "b" },
      owner = { login = "someone", url = "https://example.com/a/rather/long/path/to/somewhere" },
    }
    assert.equals([[
{
  id = 12,
  name = "HG",
  owner = {
    login = "someone",
    url = "https://example.com/a/rather/long/path/to/somewhere"
  },
  tags = { "a", "b" }
}]], inspect(t))
  end)

  it("counts the key and the comma against the width", function()
    -- `  k = { 1, 2 },` is 15 columns
    assert.equals("{\n  k = { 1, 2 },\n  z = 1\n}", inspect({ k = { 1, 2 }, z = 1 }, { width = 15 }))
    assert.equals("{\n  k = {\n    1, 2\n  },\n  z = 1\n}", inspect({ k = { 1, 2 }, z = 1 }, { width = 14 }))
  end)

  it("honours the indent option", function()
    assert.equals("{\n\ta = {\n\t\tb = 1\n\t}\n}", inspect({ a = { b = 1 } }, { width = 5, indent = "\t" }))
  end)

  it("packs lists of short leaves, one long item per line", function()
    local t = {}
    for i = 1, 30 do t[i] = i * 1000 end
    assert.equals([[
{
  1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000, 11000, 12000,
  13000, 14000, 15000, 16000, 17000, 18000, 19000, 20000, 21000, 22000, 23000,
  24000, 25000, 26000, 27000, 28000, 29000, 30000
}]], inspect(t))
    assert.equals([[
{
  "a long string number one",
  "a long string number two",
  "a long string number three"
}]], inspect({ "a long string number one", "a long string number two", "a long string number three" }))
  end)

  it("is deterministic", function()
    local t = { z = 1, y = { 1, 2, 3 }, x = "s", [4] = 4, [false] = 0 }
    assert.equals(inspect(t), inspect(t))
    assert.equals('{ [4] = 4, x = "s", y = { 1, 2, 3 }, z = 1, [false] = 0 }', inspect(t))
  end)
end)

describe("limits", function()
  it("cuts nesting at depth", function()
    local t = { a = { b = { c = { d = { e = 1 } } } } }
    assert.equals("{ a = { b = { c = { d = {...} } } } }", inspect(t))
    assert.equals("{ a = { b = {...} } }", inspect(t, { depth = 2 }))
    assert.equals("{...}", inspect(t, { depth = 0 }))
    assert.equals("{ a = { b = { c = { d = { e = 1 } } } } }", inspect(t, { depth = math.huge }))
  end)

  it("still prints empty tables beyond the depth as {}", function()
    assert.equals("{ a = { b = {} } }", inspect({ a = { b = {} } }, { depth = 2 }))
  end)

  it("limits items per table", function()
    assert.equals("{ 1, 2, …(3 more) }", inspect({ 1, 2, 3, 4, 5 }, { max_items = 2 }))
    assert.equals("{ 1, 2, a = 1, …(1 more) }", inspect({ 1, 2, a = 1, b = 2 }, { max_items = 3 }))
    assert.equals("{ …(2 more) }", inspect({ a = 1, b = 2 }, { max_items = 0 }))
    assert.equals("{ 1, 2 }", inspect({ 1, 2 }, { max_items = 2 }))
  end)

  it("summarises the rest on its own line in multi-line tables", function()
    local t = { alpha = string.rep("a", 30), beta = string.rep("b", 30), gamma = 1, delta = 2 }
    assert.equals(
      '{\n  alpha = "' .. string.rep("a", 30) .. '",\n  beta = "' .. string.rep("b", 30) .. '",\n  … 2 more\n}',
      inspect(t, { max_items = 2 }))
  end)

  it("limits items with the default of 100", function()
    local t = {}
    for i = 1, 150 do t[i] = 0 end
    local s = inspect(t)
    assert.matches("…%(50 more%)\n}$", s)
    local _, zeros = s:gsub("0", "")
    assert.equals(100 + 1, zeros) -- 100 items, plus the 0 of "50"
  end)
end)

describe("cycles", function()
  it("labels a self-referencing table", function()
    local t = { a = 1 }
    t.self = t
    assert.equals("<table 1> { a = 1, self = <cycle: table 1> }", inspect(t))
  end)

  it("labels mutual references", function()
    local a, b = { name = "a" }, { name = "b" }
    a.peer, b.peer = b, a
    assert.equals('<table 1> { name = "a", peer = { name = "b", peer = <cycle: table 1> } }', inspect(a))
  end)

  it("numbers several cycles in order of appearance", function()
    local inner = {}
    inner.me = inner
    local outer = { first = inner }
    outer.second = outer
    assert.equals("<table 1> { first = <table 2> { me = <cycle: table 2> }, second = <cycle: table 1> }",
      inspect(outer, { width = 200 }))
  end)

  it("labels cycles in multi-line output", function()
    local t = { name = string.rep("n", 70) }
    t.self = t
    assert.equals('<table 1> {\n  name = "' .. string.rep("n", 70) .. '",\n  self = <cycle: table 1>\n}', inspect(t))
  end)

  it("prints a shared table twice without labels", function()
    local shared = { 1 }
    assert.equals("{ a = { 1 }, b = { 1 } }", inspect({ a = shared, b = shared }))
  end)

  it("does not label a cycle hidden by the depth limit", function()
    local t = { a = {} }
    t.a.back = t
    assert.equals("{ a = { back = {...} } }", inspect(t, { depth = 2 }))
    assert.equals("<table 1> { a = { back = <cycle: table 1> } }", inspect(t, { depth = 3 }))
  end)

  it("handles a table used as its own key", function()
    local t = {}
    t[t] = 1
    assert.equals("<table 1> { [<cycle: table 1>] = 1 }", inspect(t))
  end)
end)

describe("functions, threads and userdata", function()
  it("numbers functions by first appearance", function()
    local f, g = function() end, function() end
    assert.equals("<function 1>", inspect(f))
    assert.equals("{ <function 1>, <function 2>, <function 1> }", inspect({ f, g, f }))
    assert.equals("{ a = <function 1>, b = <function 2> }", inspect({ b = f, a = g }))
  end)

  it("keeps ids in print order across multi-line fallbacks", function()
    local f, g = function() end, function() end
    local t = { a = { f, string.rep("x", 80) }, b = g, c = f }
    assert.equals('{\n  a = {\n    <function 1>,\n    "' .. string.rep("x", 80) .. '"\n  },\n  b = <function 2>,\n  c = <function 1>\n}',
      inspect(t))
  end)

  it("numbers threads separately", function()
    local co = coroutine.create(function() end)
    assert.equals("{ <function 1>, <thread 1> }", inspect({ print, co }))
  end)

  it("prints userdata with a metatable name through tostring", function()
    assert.matches("^file %(", inspect(io.stdout))
  end)
end)

describe("metatables", function()
  it("uses __tostring", function()
    local obj = setmetatable({ hidden = 1 }, { __tostring = function() return "<point 1,2>" end })
    assert.equals("<point 1,2>", inspect(obj))
    assert.equals("{ p = <point 1,2> }", inspect({ p = obj }))
  end)

  it("survives a failing __tostring", function()
    local bad = setmetatable({}, { __tostring = function() error("boom") end })
    assert.equals("<table: error in __tostring>", inspect(bad))
    local not_string = setmetatable({}, { __tostring = function() return {} end })
    assert.equals("<table: error in __tostring>", inspect(not_string))
  end)

  it("prints other metatables' tables as plain contents", function()
    local obj = setmetatable({ x = 1 }, { __index = function() return "nope" end })
    assert.equals("{ x = 1 }", inspect(obj))
  end)

  it("treats __jsontype as a marker, not a custom type", function()
    local mt = { __jsontype = "object", __tostring = function() return "hidden" end }
    assert.equals("{ a = 1 }", inspect(setmetatable({ a = 1 }, mt)))
    assert.equals("{}", inspect(setmetatable({}, mt)))
    assert.equals("[]", inspect(setmetatable({}, { __jsontype = "array" })))
    assert.equals("{ 1, 2 }", inspect(setmetatable({ 1, 2 }, { __jsontype = "array" })))
    assert.equals("{ list = [] }", inspect({ list = setmetatable({}, { __jsontype = "array" }) }))
  end)
end)

describe("redaction", function()
  it("hides non-empty strings under secret keys", function()
    assert.equals("{ password = " .. BULLETS .. ", user = \"bob\" }",
      inspect({ user = "bob", password = "hunter2" }))
  end)

  it("matches case-insensitively, ignoring _ and -", function()
    local t = {
      Authorization = "Bearer abc", client_secret = "s", refresh_token = "r",
      ["X-Api-Key"] = "k", ["api-key"] = "k", ACCESS_TOKEN = "a", Cookie = "c",
      private_key = "p", code_verifier = "v", passwd = "p", IdToken = "i",
    }
    local s = inspect(t, { width = 1000 })
    assert.falsy(s:find("abc", 1, true), s)
    local _, bullets = s:gsub(BULLETS, "")
    assert.equals(10, bullets, s)
    assert.matches('%["X%-Api%-Key"%] = "k"', s) -- "xapikey" is not a secret name
  end)

  it("matches names ending in password, secret or token", function()
    local s = inspect({ db_password = "p", webhookSecret = "s", csrf_token = "t", tokenizer = "keep" }, { width = 1000 })
    assert.equals("{ csrf_token = " .. BULLETS .. ", db_password = " .. BULLETS
      .. ", tokenizer = \"keep\", webhookSecret = " .. BULLETS .. " }", s)
  end)

  it("applies at any depth", function()
    assert.equals("{ a = { b = { token = " .. BULLETS .. " } } }", inspect({ a = { b = { token = "t" } } }))
  end)

  it("leaves other values and bare key alone", function()
    assert.equals('{ key = "k", secret = 42, token = "" }', inspect({ secret = 42, token = "", key = "k" }))
    assert.equals("{ password = { 1 } }", inspect({ password = { 1 } }))
  end)

  it("can be turned off", function()
    assert.equals('{ password = "hunter2" }', inspect({ password = "hunter2" }, { redact = false }))
  end)

  it("redacts in multi-line output", function()
    local t = { token = "abc", note = string.rep("n", 80) }
    assert.equals('{\n  note = "' .. string.rep("n", 80) .. '",\n  token = ' .. BULLETS .. "\n}", inspect(t))
  end)
end)

describe("color", function()
  it("emits no escape codes by default", function()
    local f = function() end
    local s = inspect({ 1, 2.5, "s", true, f, a = { nil, false } , [print] = 1 })
    assert.falsy(s:find(ESC, 1, true), s)
  end)

  it("colours values by type, not keys", function()
    assert.equals(ESC .. "[32m\"s\"" .. ESC .. "[0m", inspect("s", { color = true }))
    assert.equals(ESC .. "[36m1" .. ESC .. "[0m", inspect(1, { color = true }))
    assert.equals(ESC .. "[35mtrue" .. ESC .. "[0m", inspect(true, { color = true }))
    assert.equals(ESC .. "[35mnil" .. ESC .. "[0m", inspect(nil, { color = true }))
    assert.equals(ESC .. "[2m<function 1>" .. ESC .. "[0m", inspect(print, { color = true }))
    assert.equals("{ a = " .. ESC .. "[36m1" .. ESC .. "[0m }", inspect({ a = 1 }, { color = true }))
    assert.equals("{ [1.5] = " .. ESC .. "[36m2" .. ESC .. "[0m }", inspect({ [1.5] = 2 }, { color = true }))
  end)

  it("does not count escape codes against the width", function()
    assert.equals("{ " .. ESC .. "[36m1" .. ESC .. "[0m, " .. ESC .. "[36m2" .. ESC .. "[0m }",
      inspect({ 1, 2 }, { color = true, width = 8 }))
  end)
end)

describe("null", function()
  it("prints a given sentinel as null", function()
    local sentinel = setmetatable({}, { __tostring = function() return "json.null" end })
    assert.equals("null", inspect(sentinel, { null = sentinel }))
    assert.equals("{ 1, null, a = null }", inspect({ 1, sentinel, a = sentinel }, { null = sentinel }))
    assert.equals("json.null", inspect(sentinel))
  end)

  it("accepts a userdata sentinel", function()
    assert.equals("{ x = null }", inspect({ x = io.stdout }, { null = io.stdout }))
  end)

  it("uses lunet.json's null when that module is loaded", function()
    local sentinel = {}
    local saved = package.loaded["lunet.json"]
    package.loaded["lunet.json"] = { null = sentinel }
    local ok, s = pcall(inspect, { v = sentinel })
    package.loaded["lunet.json"] = saved
    assert.truthy(ok, s)
    assert.equals("{ v = null }", s)
  end)

  it("colours null like a literal", function()
    local sentinel = {}
    assert.equals(ESC .. "[35mnull" .. ESC .. "[0m", inspect(sentinel, { null = sentinel, color = true }))
  end)
end)

describe("values", function()
  it("joins inspected values with tabs, keeping trailing nils", function()
    assert.equals('1\t"a"\tnil\tnil', inspect.values(4, 1, "a", nil, nil))
    assert.equals("", inspect.values(0))
    assert.equals("{ 1 }\t<function 1>", inspect.values(2, { 1 }, print))
  end)

  it("rejects a missing count", function()
    assert.has_error(function() inspect.values("x") end, "count must be a non-negative integer")
  end)

  it("accepts options through values_with", function()
    assert.equals(ESC .. "[36m1" .. ESC .. "[0m\tnil", (inspect.values_with({ color = true }, 2, 1, nil):gsub(ESC .. "%[35mnil" .. ESC .. "%[0m", "nil")))
  end)
end)

describe("is_sensitive_key", function()
  it("names the keys whose values are redacted", function()
    for _, k in ipairs({ "password", "client_secret", "Access-Token", "apiKey", "api_key", "Authorization", "db_password" }) do
      assert.truthy(inspect.is_sensitive_key(k), k)
    end
    for _, k in ipairs({ "name", "tokens_used", "secretary", 1, true }) do
      assert.falsy(inspect.is_sensitive_key(k), tostring(k))
    end
  end)
end)
