-- Tests for stdlib/lunet/repl.lua (the Lua half of `lunet repl`). Run with:
--   LUA_PATH='stdlib/?.lua;;' lua5.4 Tests/lua/harness.lua Tests/lua/repl_test.lua
local repl = require "lunet.repl"

local function run(session, text)
  local fn, err, incomplete = session:compile(text)
  if not fn then return nil, err, incomplete end
  return fn()
end

describe("top-level locals", function()
  it("survive to the next chunk without becoming globals", function()
    local s = repl.new()
    run(s, "local lx = 41")
    assert.equals(42, (run(s, "lx + 1")))
    assert.equals(nil, rawget(_G, "lx"))
    run(s, "lx = 7")
    assert.equals(7, (run(s, "lx")))
    assert.equals(nil, rawget(_G, "lx"))
  end)

  it("start from the value they shadow, and local functions recurse", function()
    local s = repl.new()
    run(s, "local print = print; local tostring = tostring")
    assert.equals(print, (run(s, "print")))
    run(s, "local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end")
    assert.equals(120, (run(s, "fact(5)")))
  end)

  it("leave locals inside blocks and functions alone", function()
    assert.equals("do local y = 1 end", repl.rewrite_locals("do local y = 1 end"))
    assert.equals("function f() local z end", repl.rewrite_locals("function f() local z end"))
    assert.equals(';__lunet_local("a", "b"); a, b = 1, 2', repl.rewrite_locals("local a <const>, b = 1, 2"))
    assert.equals(';__lunet_local("q"); q = nil', repl.rewrite_locals("local q"))
    assert.equals('s = "local x = 1"', repl.rewrite_locals('s = "local x = 1"'))
    assert.equals("-- local x\n" .. ';__lunet_local("y"); y = 2', repl.rewrite_locals("-- local x\nlocal y = 2"))
  end)

  it("global assignments still reach _G", function()
    local s = repl.new()
    run(s, "repl_test_global = 3")
    assert.equals(3, rawget(_G, "repl_test_global"))
    _G.repl_test_global = nil
  end)

  it("tells incomplete chunks from wrong ones", function()
    local s = repl.new()
    local fn, err, incomplete = s:compile("for i = 1, 2 do")
    assert.falsy(fn)
    assert.truthy(incomplete)
    fn, err, incomplete = s:compile("x = = 1")
    assert.falsy(fn)
    assert.falsy(incomplete)
    assert.matches("unexpected symbol", err)
  end)
end)

describe("printing", function()
  it("prints an array of records as an aligned table, secrets redacted", function()
    local s = repl.new{ width = 80 }
    local text = s:show(1, { { id = 1, name = "alpha", api_token = "t0k" }, { id = 22, name = "béta" } })
    local lines = {}
    for line in text:gmatch("[^\n]+") do lines[#lines + 1] = line end
    assert.equals("id  name   api_token", lines[1])
    assert.equals("1   alpha  ••••", lines[3])
    assert.equals("22  béta", lines[4])
  end)

  it("cuts wide values by display width", function()
    assert.equals(4, repl.display_width("日本"))
    assert.equals(3, repl.display_width("béa"))
    local cut = repl.cut(("日"):rep(40), 9)
    assert.equals("日日日日…", cut)
    assert.truthy(repl.display_width(cut) <= 9)
  end)

  it("notes rows and columns that are not shown", function()
    local s = repl.new{ width = 26 }
    s.max_rows = 3
    local rows = {}
    for i = 1, 10 do rows[i] = { id = i, a = ("x"):rep(20), b = "y" } end
    local text = s:show(1, rows)
    assert.matches("10 rows; 7 more rows, 1 more columns not shown", text)
  end)

  it("truncates long output with a note saying how to see all", function()
    local s = repl.new{ width = 40 }
    s.max_lines = 10
    local t = {}
    for i = 1, 50 do t["key" .. i] = { i } end
    local text = s:show(1, t)
    local count = select(2, text:gsub("\n", ""))
    assert.equals(10, count)
    assert.matches("more lines %(print%(inspect%(_%)%) shows everything%)$", text)
  end)

  it("colours by type only when asked", function()
    assert.matches("\27%[32m", repl.new{ color = true }:show(1, { "s" }))
    assert.falsy(repl.new{ color = false }:show(1, { "s" }):find("\27", 1, true))
  end)
end)

describe("completion", function()
  it("completes globals, table keys and __index methods", function()
    local s = repl.new()
    _G.repl_obj = setmetatable({ field = 1 }, { __index = { greet = function() end, _hidden = function() end } })
    assert.same({ "repl_obj:greet" }, s:complete("repl_obj:g", "repl_obj:g"))
    assert.same({ "repl_obj.field", "repl_obj.greet" }, s:complete("repl_obj.", "repl_obj."))
    assert.same({ "string.upper" }, s:complete("string.up", "string.up"))
    local found = false
    for _, c in ipairs(s:complete("repl_o", "repl_o")) do found = found or c == "repl_obj" end
    assert.truthy(found)
    _G.repl_obj = nil
  end)

  it("completes session locals and lazy globals", function()
    local s = repl.new()
    run(s, "local my_local_value = 1")
    assert.same({ "my_local_value" }, s:complete("my_local_v", "my_local_v"))
    s:lazy_globals({ lazy_thing_for_test = function() return 5 end })
    assert.same({ "lazy_thing_for_test" }, s:complete("lazy_thing", "lazy_thing"))
    assert.equals(5, (run(s, "lazy_thing_for_test")))
    rawset(_G, "lazy_thing_for_test", nil)
  end)

  it("asks the host for files inside strings and modules after require", function()
    local s = repl.new()
    assert.same({ nil, "module" }, { s:complete('require "lunet.', "lunet.") })
    assert.same({ nil, "module" }, { s:complete("require('lu", "lu") })
    assert.same({ nil, "path" }, { s:complete('io.open("Sour', "Sour") })
  end)
end)
