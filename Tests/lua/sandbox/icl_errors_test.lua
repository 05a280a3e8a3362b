-- lunet.icl's error paths, retries and checkpoint guarantees against the
-- iCL emulator (run with --sandbox): 401 renewal, 400 validation errors,
-- 429/503/reset faults while paging and upserting, a feed that fails midway
-- and is rerun, and a 20,000-item change feed.
local icl = require "lunet.icl"
local lunet = require "lunet"
local json = require "lunet.json"
local state = require "lunet.state"
local sandbox = require "sandbox_control"
local control = sandbox.control

local faults = sandbox.faults
local reseed = sandbox.reseed
local log = sandbox.log
local function ids(list, field)
  local t = {}
  for _, e in ipairs(list) do t[#t + 1] = e[field or "externalId"] end
  table.sort(t)
  return t
end

local portal, b
describe("lunet.icl errors and guarantees", function()
  before_each(function()
    reseed()
    state.use(os.tmpname() .. ".db")
    portal = icl.connect()
    b = portal:content("building")
  end)
  after_each(function() faults("") end)

  it("renews a revoked token once and succeeds", function()
    assert.equals("GB-00001", b:get("GB-00001").externalId) -- holds a token now
    local revoked = control:request{ method = "POST", path = "/icl/_sandbox/revoke-tokens" }.body.revoked
    assert.truthy(revoked >= 1)
    control:request{ method = "DELETE", path = "/_sandbox/requests" }
    assert.equals("GB-00002", b:get("GB-00002").externalId)
    local seen = {}
    for _, r in ipairs(log()) do seen[#seen + 1] = r.method .. " " .. r.path .. " " .. tostring(r.status) end
    assert.same({ "GET /icl/api/content/building/GB-00002 401", "POST /icl/token 200",
                  "GET /icl/api/content/building/GB-00002 200" }, seen)
  end)

  it("renews expired tokens (short lifetime) during a long listing", function()
    control:request{ method = "PUT", path = "/icl/_sandbox/token-lifetime", body = { seconds = 1 } }
    control:request{ method = "POST", path = "/icl/_sandbox/revoke-tokens" }
    local n = 0
    for _ in b:list{ page_size = 200 } do
      n = n + 1
      if n % 400 == 0 then require("lunet.task").sleep(1.2) end -- let the token expire mid-listing
    end
    assert.equals(1200, n)
    local tokens = 0
    for _, r in ipairs(log()) do if r.path == "/icl/token" then tokens = tokens + 1 end end
    control:request{ method = "PUT", path = "/icl/_sandbox/token-lifetime", body = { seconds = 600 } }
    assert.truthy(tokens >= 2, "expected renewals, saw " .. tokens .. " token requests")
  end)

  it("raises 400 with the server's validation messages and the decoded body", function()
    local ok, e = pcall(b.create, b, { externalId = "BAD-1", stock = "third floor" })
    assert.falsy(ok)
    assert.equals("lunet.Error", getmetatable(e).__name)
    assert.equals(400, e.status)
    assert.equals("icl", e.api)
    assert.equals(false, e.retryable)
    assert.matches("buildingname", e.message)
    assert.matches("strasse", e.message)
    assert.matches("stock", e.message)
    assert.equals("table", type(e.body))
    assert.equals(false, e.body.success)
    assert.equals("Your request is not valid!", e.body.error.message)
    assert.truthy(#e.body.error.validationErrors >= 3)
    assert.matches("^icl: POST /icl/api/content/building: 400", tostring(e))
    assert.has_error(function() b:get("BAD-1") end) -- nothing stored
  end)

  it("raises when a batch fails for good, with the report so far in e.report", function()
    local items = {}
    for i = 1, 10 do items[i] = { externalId = "P-" .. i, buildingname = "P", strasse = "S" } end
    faults("path=/icl/token;path=/icl/api,400@2")
    local ok, e = pcall(b.upsert, b, items, { batch_size = 3 })
    faults("")
    assert.falsy(ok)
    assert.equals(400, e.status)
    assert.equals("table", type(e.report))
    assert.same({ 1, 2, 3 }, (function() local t = {}; for _, s in ipairs(e.report.succeeded) do t[#t + 1] = s.index end; return t end)())
  end)

  local function failing_run(name, fail_at, how)
    local got = {}
    local ok, err = pcall(function()
      for item in portal:changes{ type = "building", checkpoint = name } do
        got[#got + 1] = item.externalId
        if how == "error" and #got == fail_at then error("the script failed midway") end
      end
    end)
    return ok, err, got
  end

  it("delivers every change at least once when a script fails midway and is rerun", function()
    local all = {}
    for item in portal:changes{ type = "building" } do all[#all + 1] = item.externalId end
    assert.equals(1205, #all)
    for _, fail_at in ipairs { 1, 499, 500, 501, 730, 1205 } do
      local name = "guarantee-" .. fail_at
      local ok, err, first = failing_run(name, fail_at, "error")
      assert.falsy(ok); assert.matches("failed midway", err)
      assert.equals(fail_at, #first)
      local _, _, second = failing_run(name, nil, "none")
      -- The rerun starts at the first page not fully consumed: nothing skipped,
      -- at most one page (500) re-delivered.
      local resumed_from = #all - #second + 1
      assert.truthy(resumed_from <= fail_at + 1, ("fail at %d, rerun resumed at %d: skipped changes"):format(fail_at, resumed_from))
      assert.truthy(fail_at - resumed_from < 500, ("fail at %d: rerun re-delivered more than a page"):format(fail_at))
      for k, id in ipairs(second) do assert.equals(all[resumed_from + k - 1], id) end
      local union = {}
      for _, id in ipairs(first) do union[id] = true end
      for _, id in ipairs(second) do union[id] = true end
      for _, id in ipairs(all) do assert.truthy(union[id], "change of " .. id .. " never delivered (fail at " .. fail_at .. ")") end
    end
  end)

  it("delivers every change at least once when the feed request itself fails midway", function()
    -- The 3rd feed request (page 3) answers 400, which is not retried.
    faults("path=/icl/token;path=/icl/api,400@3")
    local ok, err, first = failing_run("request-fails", nil, "none")
    faults("")
    assert.falsy(ok)
    assert.equals(400, err.status)
    assert.equals(1000, #first)
    local _, _, second = failing_run("request-fails", nil, "none")
    assert.equals(205, #second)
  end)

  it("reads a 20,000-item change feed, 500 at a time", function()
    local t = os.time()
    local r = b:upsert((function()
      local i = 0
      return function()
        i = i + 1
        if i > 20000 then return nil end
        return { externalId = ("BIG-%05d"):format(i), buildingname = "Big " .. i, strasse = "Lange Gasse " .. i }
      end
    end)(), { batch_size = 500, concurrency = 4 })
    assert.equals(20000, #r.succeeded); assert.equals(40, r.batches)
    control:request{ method = "DELETE", path = "/_sandbox/requests" }
    local n, big, seen = 0, 0, {}
    local feed = portal:changes{ type = "building", checkpoint = "big" }
    for item in feed do
      n = n + 1
      assert.falsy(seen[item.externalId], "repeated " .. item.externalId)
      seen[item.externalId] = true
      if item.externalId:sub(1, 4) == "BIG-" then big = big + 1 end
    end
    assert.equals(21205, n); assert.equals(20000, big)
    local pages = 0
    for _, e in ipairs(log()) do if e.path:find("getchanges", 1, true) then pages = pages + 1 end end
    assert.equals(44, pages) -- 43 pages (42 × 500 + 205) and the empty one
    assert.equals(feed.token, state.get("checkpoint:big"))
    local again = 0
    for _ in portal:changes{ type = "building", checkpoint = "big" } do again = again + 1 end
    assert.equals(0, again)
  end)

  -- Faulted tests last: the run's retry budget (10 % of its requests + 20)
  -- grows with the requests the earlier tests made.
  it("pages through 429, 503 and connection resets without losing or repeating items", function()
    faults("path=/icl/token;path=/icl/api,429@7,503@11,reset@13,retry-after=0")
    local retries = lunet.stats().retries
    local seen, set = {}, {}
    for item in b:list{ page_size = 50, orderby = "ExternalId" } do
      assert.falsy(set[item.externalId], "repeated " .. item.externalId)
      set[item.externalId] = true
      seen[#seen + 1] = item.externalId
    end
    local faulted = 0
    for _, r in ipairs(log()) do if r.fault ~= json.null then faulted = faulted + 1 end end
    faults("")
    assert.equals(1200, #seen)
    assert.truthy(faulted >= 4, "only " .. faulted .. " faults injected")
    assert.truthy(lunet.stats().retries - retries >= faulted, ("%d faults, %d retries"):format(faulted, lunet.stats().retries - retries))
    assert.same(ids(b:list{ page_size = 500 }:collect()), (function() table.sort(seen); return seen end)())
  end)

  it("reads a change feed through faults: every change once", function()
    faults("path=/icl/token;path=/icl/api,503@3,429@5,reset@7,retry-after=0")
    local seen = {}
    for item in portal:changes{ type = "building", checkpoint = "faulty" } do
      assert.falsy(seen[item.externalId], "repeated " .. item.externalId)
      seen[item.externalId] = true
    end
    faults("")
    local n = 0
    for _ in pairs(seen) do n = n + 1 end
    assert.equals(1205, n)
  end)

  for _, atomic in ipairs { true, false } do
    it("upserts through 429, 503, resets and lost answers with nothing lost (atomic=" .. tostring(atomic) .. ")", function()
      local items = {}
      for i = 1, 3000 do
        items[i] = { externalId = ("F-%05d"):format(i), buildingname = "F" .. i, strasse = "Faultgasse " .. i, plz = "1010" }
      end
      -- reset-after: the batch was stored but the answer lost; a PUT is
      -- idempotent, so sending it again is safe. Batches go one at a time
      -- so each one's attempts are consecutive requests: among any five
      -- consecutive requests at most four are faulted (one each of every
      -- 5th, 7th, 11th, 13th), so every batch gets through within the five
      -- attempts — deterministically, not by luck.
      faults("path=/icl/token;path=/icl/api,429@5,503@7,reset@11,reset-after@13,retry-after=0")
      local r = b:upsert(items, { batch_size = 250, atomic = atomic })
      faults("")
      assert.equals(3000, r.count); assert.equals(12, r.batches)
      assert.equals(3000, #r.succeeded); assert.equals(0, #r.errored); assert.equals(0, #r.rolled_back)
      local stored = b:list{ filter = "startswith(ExternalId,'F-')", page_size = 500 }
      assert.equals(3000, stored:total())
      assert.same(ids(items), ids(stored:collect()))
      local faulted = 0
      for _, e in ipairs(log()) do if e.fault ~= json.null then faulted = faulted + 1 end end
      assert.truthy(faulted >= 4, "only " .. faulted .. " faults injected")
    end)
  end
end)
