-- Tests for lunet.state (Sources/LunetRuntime/State).
-- Every test points the module at a fresh file with state.use, so the
-- suite never touches the real store whatever the environment says.
local state = require "lunet.state"
local json = require "lunet.json"

local dir
local function fresh_store()
  dir = os.tmpname()
  os.remove(dir)
  state.use(dir .. "/state.db")
end
local function remove_store()
  for _, suffix in ipairs { "", "-wal", "-shm" } do os.remove(dir .. "/state.db" .. suffix) end
  os.remove(dir)
end

-- The message from "lunet.state.xxx(): " on (the "file:line: " prefix removed).
local function err_of(fn, ...)
  local ok, e = pcall(fn, ...)
  assert(not ok, "expected an error")
  e = tostring(e)
  local at = e:find("lunet%.state%.%a+%(%): ")
  return at and e:sub(at) or e
end

describe("lunet.state", function()
  before_each(fresh_store)
  after_each(remove_store)

  it("has get, set, delete, keys, use, location", function()
    for _, name in ipairs { "get", "set", "delete", "keys", "use", "location" } do
      assert.equals("function", type(state[name]), name)
    end
    assert.equals(state, require "lunet.state")
  end)

  it("get of an absent key is nil", function()
    assert.equals(nil, state.get("nothing here"))
  end)

  it("round-trips JSON-able values", function()
    local value = { name = "HG", count = 3, ratio = 0.5, ok = true, tags = { "a", "b" }, nested = { deep = { x = 1 } } }
    state.set("v", value)
    assert.same(value, state.get("v"))
    state.set("s", "text")
    assert.equals("text", state.get("s"))
    state.set("i", 42)
    assert.equals(42, state.get("i"))
    assert.equals("integer", math.type(state.get("i")))
    state.set("f", 2.0)
    assert.equals("float", math.type(state.get("f")))
    state.set("b", false)
    assert.equals(false, state.get("b"))
    state.set("n", json.null)
    assert.equals(json.null, state.get("n"))
  end)

  it("set replaces the value", function()
    state.set("k", { 1, 2, 3 })
    state.set("k", "now a string")
    assert.equals("now a string", state.get("k"))
  end)

  it("set(key, nil) deletes", function()
    state.set("k", 1)
    state.set("k", nil)
    assert.equals(nil, state.get("k"))
  end)

  it("delete removes and reports whether the key existed", function()
    state.set("k", 1)
    assert.equals(true, state.delete("k"))
    assert.equals(false, state.delete("k"))
    assert.equals(nil, state.get("k"))
  end)

  it("keys(prefix) returns the matching keys sorted", function()
    for _, k in ipairs { "feed/b", "feed/a", "upload/x", "feed/c", "feed" } do state.set(k, true) end
    assert.same({ "feed/a", "feed/b", "feed/c" }, state.keys("feed/"))
    assert.same({ "feed", "feed/a", "feed/b", "feed/c", "upload/x" }, state.keys())
    assert.same({}, state.keys("none/"))
  end)

  it("location names the file in use", function()
    assert.equals(dir .. "/state.db", state.location())
  end)

  it("names the path of a value that cannot be stored", function()
    assert.equals("lunet.state.set(): cannot encode a function at $.cb", err_of(state.set, "k", { cb = print }))
    assert.equals("lunet.state.set(): cannot encode a function at $", err_of(state.set, "k", print))
    assert.equals("lunet.state.set(): cannot encode a thread at $.items[2]",
      err_of(state.set, "k", { items = { 1, coroutine.create(print) } }))
    local t = {}
    t.self = t
    assert.equals("lunet.state.set(): table cycle at $.self", err_of(state.set, "k", t))
    assert.equals("lunet.state.set(): cannot encode NaN at $.x", err_of(state.set, "k", { x = 0 / 0 }))
    assert.equals(nil, state.get("k"), "nothing stored after a failed set")
  end)

  it("checks keys", function()
    assert.equals("lunet.state.get(): bad argument #1 (string expected, got number)", err_of(state.get, 1))
    assert.equals("lunet.state.set(): bad argument #1 (string expected, got nil)", err_of(state.set, nil, 1))
    assert.equals("lunet.state.get(): bad argument #1 (key must not be empty)", err_of(state.get, ""))
    assert.equals("lunet.state.delete(): bad argument #1 (key is 513 bytes long; at most 512 allowed)",
      err_of(state.delete, ("k"):rep(513)))
    state.set(("k"):rep(512), 1)
    assert.equals(1, state.get(("k"):rep(512)))
    assert.equals("lunet.state.get(): bad argument #1 (key must be valid UTF-8)", err_of(state.get, "\xff"))
    assert.equals("lunet.state.set(): bad argument #2 (value expected; use nil to delete)", err_of(state.set, "k"))
    assert.equals("lunet.state.keys(): bad argument #1 (string expected, got table)", err_of(state.keys, {}))
  end)

  it("errors carry the caller's position", function()
    local ok, e = pcall(state.get, "")
    assert.falsy(ok)
    assert.matches("^lunet.state.get%(%)", e)  -- called directly by pcall: no Lua caller
    ok, e = pcall(function() return state.get("") end)
    assert.matches("state_test%.lua:%d+: lunet%.state%.get%(%)", e)
  end)

  it("use rejects unsupported locations", function()
    assert.equals("lunet.state.use(): location: unsupported state location 'ftp://x' (use a file path, sqlite:PATH or postgres://…)",
      err_of(state.use, "ftp://x"))
  end)
end)
