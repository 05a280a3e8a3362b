-- lunet.integrator's error paths against the emulator (run with --sandbox):
-- the `errors` array shape, 429 with Retry-After (the emulator's own rate
-- limit and injected faults), retried paged exports that lose and repeat
-- nothing, and a failed import batch raising with the report so far.
-- The bare 401 `{"message"}` shape needs a wrong token, which --sandbox
-- never sends: Tests/LunetCLITests/IntegratorExampleTests.swift covers it.
local integrator = require "lunet.integrator"
local lunet = require "lunet"
local sandbox = require "sandbox_control"
local control = sandbox.control

local faults = sandbox.faults
local function rate(per_second, burst)
  control:request{ method = "PUT", path = "/integrator/_control/rate-limit",
    body = { requestsPerSecond = per_second, burst = burst } }
end
local reseed = sandbox.reseed
local function log()
  local out = {}
  for _, r in ipairs(control:request{ path = "/_sandbox/requests" }.body.requests) do
    if r.path:find("^/integrator/v1") then out[#out + 1] = r end
  end
  return out
end
local function clock() return integrator._clock() end

local NETSUITE, HEARTBEAT = "5541489353bb53af29000009", "5a1498b3bc227369ab2aa77b"
local EXPORT = { type = "netsuite", netsuite = { searches = { { recordType = "customRecord" } } }, pageSize = 50 }

local celigo
describe("lunet.integrator errors", function()
  before_each(function()
    reseed()
    celigo = integrator.connect()
  end)
  after_each(function()
    faults("")
    rate(300, 1000)
  end)

  it("raises the errors array as a lunet.Error with code = errors[1].code", function()
    local e = assert.has_error(function() celigo.connections:create{ name = "no type" } end)
    assert.equals("lunet.Error", getmetatable(e).__name)
    assert.equals("integrator", e.api)
    assert.equals(422, e.status)
    assert.equals("missing_required_field", e.code)
    assert.equals("type", e.body.errors[1].field)
    assert.equals("table", type(e.body.errors))
    assert.matches("type", e.message)
    assert.equals(false, e.retryable)
    assert.matches("^integrator: POST /integrator/v1/connections: 422", tostring(e))

    local bad = assert.has_error(function() celigo:request{ path = "/connections", query = { limit = 0 } } end)
    assert.equals(400, bad.status)
    assert.equals("invalid_query_params", bad.code)

    local missing = assert.has_error(function() celigo.jobs:get("000000000000000000000000") end)
    assert.equals(404, missing.status)
    assert.equals("not_found", missing.code)
  end)

  it("waits out the emulator's 429 rate_limited answers as Retry-After says", function()
    rate(2, 2)
    local started = clock()
    for i = 1, 6 do assert.equals("Don't slip!", celigo.state:get("banana").message, "request " .. i) end
    local elapsed = clock() - started
    local limited = 0
    for _, r in ipairs(log()) do if r.status == 429 then limited = limited + 1 end end
    assert.truthy(limited >= 1, "expected 429 answers")
    -- 2 at once, then 2 a second: the last ones could not be answered before ~1 s
    assert.truthy(elapsed >= 0.9, "finished in " .. elapsed .. " s")
  end)

  it("retries injected 429s after Retry-After while paging a Link list", function()
    faults("path=/integrator/v1/connections,429@2,retry-after=1")
    local started = clock()
    assert.equals(250, #celigo.connections:list():collect())
    local elapsed = clock() - started
    local statuses = {}
    for _, r in ipairs(log()) do statuses[#statuses + 1] = r.status end
    assert.same({ 200, 429, 200, 429, 200 }, statuses)
    assert.truthy(elapsed >= 1.9, "two Retry-After: 1 waits, finished in " .. elapsed .. " s")
  end)

  it("repeats a paged export request after 503s and 500s without losing or repeating records", function()
    faults("path=/integrator/v1/connections,503@3,500@5")
    local rows, seen = 0, {}
    for record in celigo.connections:export_pages(NETSUITE, EXPORT) do
      assert.falsy(seen[record.row], "row " .. record.row .. " twice")
      seen[record.row] = true
      rows = rows + 1
    end
    assert.equals(822, rows)
    local failed = 0
    for _, r in ipairs(log()) do if r.status >= 500 then failed = failed + 1 end end
    assert.truthy(failed >= 3, "faults were injected: " .. failed)
  end)

  it("a failed import batch raises with the report so far", function()
    -- every 3rd import request is a 500, which a POST does not repeat
    faults("path=/integrator/v1/connections/" .. HEARTBEAT .. "/import,500@3")
    local records = {}
    for i = 1, 10 do records[i] = { email = "u" .. i .. "@example.com" } end
    local ok, e = pcall(celigo.connections.import, celigo.connections, HEARTBEAT,
      { rest = { relativeURI = "/x" } }, records, { batch_size = 2 })
    assert.falsy(ok)
    assert.equals("lunet.Error", getmetatable(e).__name)
    assert.equals(500, e.status)
    assert.equals(6, e.report.count)
    assert.equals(3, e.report.batches)
    assert.equals(4, #e.report.succeeded)
    assert.equals(4, e.report.succeeded[4].index)
  end)

  it("parses Link headers: relative targets, several links, several relations", function()
    assert.equals("https://other.example/v1/x?skip=2", integrator._link('<https://other.example/v1/x?skip=2>; rel="next"', "next"))
    assert.equals(nil, integrator._link('<https://a/x>; rel="prev"', "next"))
    assert.equals("http://h/v1/connections?skip=100&limit=100",
      integrator._link('</v1/connections?skip=100&limit=100>; rel="next", </v1/connections?skip=0>; rel="prev"', "next", "http://h/v1"))
    assert.equals("https://a/2", integrator._link('<https://a/1>; rel="prev", <https://a/2>; title="x, y"; rel="next last"', "next"))
  end)
end)
