-- Tests for lunet.log (Sources/LunetRuntime/Log). What the lines look like
-- is tested in Swift with a capturing sink (Tests/LunetRuntimeTests/Log);
-- here: the Lua surface and its argument errors, without printing (calls
-- that succeed run below the threshold).
local log = require "lunet.log"

local function err_of(fn, ...)
  local ok, e = pcall(fn, ...)
  assert(not ok, "expected an error")
  e = tostring(e)
  local at = e:find("lunet%.log%.%a+%(%): ")
  return at and e:sub(at) or e
end

describe("lunet.log", function()
  local saved
  before_each(function() saved = log.level() end)
  after_each(function() log.level(saved) end)

  it("has debug, info, warn, error and level", function()
    for _, name in ipairs { "debug", "info", "warn", "error", "level" } do
      assert.equals("function", type(log[name]), name)
    end
    assert.equals(log, require "lunet.log")
  end)

  it("level() reads and sets the threshold", function()
    assert.equals("debug", log.level("debug"))
    assert.equals("debug", log.level())
    assert.equals("warn", log.level("WARNING"))
    assert.equals("lunet.log.level(): bad argument #1 (unknown level 'loud'; known: debug, info, warn, error)",
      err_of(log.level, "loud"))
  end)

  it("calls below the threshold return nothing and raise nothing", function()
    log.level("error")
    assert.equals(0, select("#", log.info("quiet", { n = 1 })))
    log.debug("quiet")
    log.warn(setmetatable({}, { __tostring = function() return "custom" end }))
    log.info(nil)
    log.info(12.5, {})
  end)

  it("checks the fields argument even below the threshold", function()
    log.level("error")
    assert.equals("lunet.log.info(): bad argument #2 (table of fields expected, got string)",
      err_of(log.info, "msg", "not a table"))
    assert.equals("lunet.log.debug(): bad argument #1 (message expected)", err_of(log.debug))
  end)

  it("names the path of a field that cannot be encoded", function()
    log.level("debug")
    assert.equals("lunet.log.info(): fields: cannot encode a function at $.cb", err_of(log.info, "m", { cb = print }))
    assert.equals("lunet.log.error(): fields: cannot encode a function at $.req.headers.f",
      err_of(log.error, "m", { req = { headers = { f = print } } }))
    assert.equals("lunet.log.warn(): bad argument #2 (table of fields expected, got an array)",
      err_of(log.warn, "m", { 1, 2 }))
  end)
end)
