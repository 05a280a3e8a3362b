-- Runs with `lunet run --sandbox` (see Tests/LunetCLITests/SandboxLuaSuiteTests.swift).
local lunet = require "lunet"
local http = require "lunet.http"
local task = require "lunet.task"
local paging = require "lunet.paging"

local sandbox = require "sandbox_control"
local control = sandbox.control
local api = http.connect{ url = lunet.sandbox .. "/test", token = "tok-123" }

local now = sandbox.now
local faults = sandbox.faults

describe("lunet.http over the sandbox test API", function()
  before_each(function() faults("") end)

  it("sends query, headers and JSON bodies and decodes the answer", function()
    local r = api:request{ method = "POST", path = "/echo", query = { q = "a b", n = 2 },
                           headers = { ["X-Team"] = "ops" }, body = { name = "Wien", list = { 1, 2 } } }
    assert.equals(200, r.status)
    assert.equals("POST", r.body.method)
    assert.same({ q = "a b", n = "2" }, r.body.query)
    assert.equals("ops", r.body.headers["x-team"])
    assert.matches('"name":"Wien"', r.body.body)
  end)

  it("overlaps two tasks' requests in time", function()
    local start = now()
    api:request{ path = "/slow", query = { ms = 300 } }
    api:request{ path = "/slow", query = { ms = 300 } }
    local sequential = now() - start
    start = now()
    local a = task.spawn(api.request, api, { path = "/slow", query = { ms = 300 } })
    local b = task.spawn(api.request, api, { path = "/slow", query = { ms = 300 } })
    assert.equals(200, a:wait().status); assert.equals(200, b:wait().status)
    local overlapped = now() - start
    assert.truthy(overlapped < 0.75 * sequential,
      ("two 0.3 s requests: %.2f s in tasks, %.2f s in a row"):format(overlapped, sequential))
  end)

  it("raises lunet.Error with the fields of lua-api.md", function()
    local ok, e = pcall(api.request, api, { path = "/status/404" })
    assert.falsy(ok)
    assert.equals("lunet.Error", getmetatable(e).__name)
    assert.equals("http", e.api); assert.equals("GET", e.method); assert.equals(404, e.status)
    assert.matches("/test/status/404", e.url)
    assert.equals("http: GET /test/status/404: 404 Not Found: status 404 as requested", tostring(e))
    assert.matches("^stack traceback:", e.traceback)
    assert.equals(false, e.retryable)
  end)

  it("errors in a spawned task reach the waiter as lunet.Error", function()
    local h = task.spawn(api.request, api, { path = "/status/400" })
    local ok, e = pcall(h.wait, h)
    assert.falsy(ok)
    assert.equals(400, e.status)
  end)

  it("retries under injected faults and loses nothing while paging", function()
    faults("seed=7,503=0.2,429=0.1,reset=0.05,retry-after=0")
    local c = paging.cursor{ page_size = 25, start = 0, advance = function(o, s) return o + s end,
      fetch = function(offset, size)
        local r = api:request{ path = "/items", query = { offset = offset, limit = size, total = 500 } }
        return { items = r.body.items, next = offset + size, total = r.body.total }
      end }
    local seen = {}
    for item in c do seen[#seen + 1] = item.id end
    faults("")
    assert.equals(500, #seen)
    for i = 2, #seen do assert.truthy(seen[i] > seen[i - 1], "items out of order or repeated at " .. i) end
    assert.truthy(lunet.stats().retries > 0, "faults were injected but nothing was retried")
  end)

  it("does not re-send a POST after the connection was reset mid-request", function()
    faults("reset-after@1")
    local ok, e = pcall(api.request, api, { method = "POST", path = "/echo", body = { x = 1 } })
    faults("")
    assert.falsy(ok)
    assert.equals(nil, e.status)
    assert.equals(1, e.attempts)
  end)
end)
