-- lunet.iconect's error paths against the iCONECT emulator (run with
-- --sandbox): argument errors before sending, 400/403/404 as lunet.Error
-- with the server's message, 401 renewal, retries under injected faults,
-- jobs:wait's timeout, and (in a second lunet process, outside --sandbox)
-- the read-only reviewer, route overrides and connection options.
local iconect = require "lunet.iconect"
local lunet = require "lunet"
local json = require "lunet.json"
local task = require "lunet.task"
local sandbox = require "sandbox_control"
local control = sandbox.control

local faults = sandbox.faults
local function settings(t) control:request{ method = "PUT", path = "/iconect/_sandbox/settings", body = t } end
local reseed = sandbox.reseed
local log = sandbox.log
local function api_error(fn)
  local ok, e = pcall(fn)
  assert.falsy(ok, "expected an error")
  assert.equals("table", type(e), "a lunet.Error, got " .. tostring(e))
  assert.equals("lunet.Error", getmetatable(e).__name)
  assert.equals("iconect", e.api)
  return e
end
local function indexes(list)
  local t = {}
  for i, e in ipairs(list) do t[i] = e.index end
  return t
end

-- Runs `source` in a second lunet process (no --sandbox, so the options it
-- gives are used as given) and returns what it printed as JSON.
local function child(source)
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write("local json = require 'lunet.json'\nlocal sandbox = ", string.format("%q", lunet.sandbox), "\n", source)
  f:close()
  local p = assert(io.popen('"$(readlink /proc/$PPID/exe)" run ' .. path .. " 2>&1"))
  local out = p:read("a")
  p:close()
  os.remove(path)
  local ok, value = pcall(json.decode, out)
  assert.truthy(ok, "the child printed: " .. out)
  return value
end

local ic, p
describe("lunet.iconect errors", function()
  before_each(function()
    reseed()
    ic = iconect.connect()
    p = ic:project(1)
  end)
  after_each(function() faults(""); settings{ job_step_seconds = 1, access_token_lifetime = 3600 } end)

  it("rejects wrong arguments with a plain string at the caller's line, before sending anything", function()
    local cases = {
      { function() p.records:list{ record_ids = { 1 }, view_id = 1 } end,
        "iconect records:list(): options 'record_ids' and 'view_id' are mutually exclusive: give one or the other" },
      { function() p.records:list{ pagesize = 10 } end,
        "iconect records:list(): unknown option 'pagesize' (known: field_ids, limit, page_size, prefetch, record_ids, size_limit, view_id)" },
      { function() p.records:list{ field_ids = { 1, "x" } } end, "iconect records:list(): field_ids[2] must be an integer id" },
      { function() p.records:list{ size_limit = -1 } end, "option 'size_limit' must be a non-negative integer, got number" },
      { function() p.records:list{ page_size = 0 } end, "option 'page_size' must be a positive integer" },
      { function() p.jobs:list{ prefetch = -1 } end, "iconect jobs:list(): option 'prefetch' must be a non-negative integer" },
      { function() ic.clients:list{ limit = 1.5 } end, "iconect clients:list(): option 'limit' must be a non-negative integer, got number 1.5" },
      { function() p.records:get("abc") end, "iconect records:get(): record must be an integer id (or an object with an id), got string 'abc'" },
      { function() p.records:create(42) end, "array or iterator expected, got number" },
      { function() p.records:create({}, { hash_ids = "2" }) end, "option 'hash_ids' must be an array of integer ids, got string" },
      { function() p.records:update({}, { hash_ids = { 2 } }) end, "unknown option 'hash_ids'" },
      { function() ic.projects:list{ type = "Archived" } end,
        "iconect projects:list(): option 'type' must be a database_filter number or name (Projects (0), Templates (1), ProjectsAndTemplates (2)), got string 'Archived'" },
      { function() ic.clients:create{ name = "x", state = "Gone" } end, "client.state must be a state number or name" },
      { function() ic.clients:create("Initech") end, "iconect clients:create(): client must be a table, got string" },
      { function() p.fields:create{ name = "x", type = 0 } end, "iconect fields:create(): fields must be a non-empty array" },
      { function() p.fields:create{ { name = "x", type = "TEXT" } } end, "field.type must be a field_type number or name" },
      { function() p.jobs:list{ types = { "Cleanup" } } end, "iconect jobs:list(): types[1] must be a job_type number or name" },
      { function() p.jobs:delete(1, { delete_data = "yes" }) end, "option 'delete_data' must be a boolean" },
      { function() p.jobs:wait(1, { timeout = -1 }) end, "option 'timeout' must be a non-negative number" },
      { function() p.jobs:wait(1, { interval = 0 }) end, "option 'interval' must be a positive number" },
      { function() p.jobs:start(1, { view = 1 }) end, "unknown option 'view' (known: view_id)" },
      { function() p:folders("one") end, "iconect project:folders(): panel must be an integer id" },
      { function() p:folders(1):add_records(4, { 1, "two" }) end, "record_ids[2] must be an integer id" },
      { function() p.views:create{ selected_ids = { 1 }, search_query = "x" } end, "selected_ids and search_query are mutually exclusive" },
      { function() p.templates:list{ type = 3 + 0.5 } end, "option 'type' must be a template_type number or name" },
      { function() ic:project(nil) end, "iconect project(): id must be an integer id" },
      { function() iconect.terminal("Done") end, "iconect terminal(): status must be a job_status number or name" },
    }
    for i, case in ipairs(cases) do
      local ok, e = pcall(case[1])
      assert.falsy(ok, "case " .. i .. " raised nothing")
      assert.equals("string", type(e), "case " .. i .. ": " .. tostring(e))
      assert.truthy(e:find(case[2], 1, true), ("case %d: %q does not contain %q"):format(i, e, case[2]))
      assert.matches("^Tests/lua/sandbox/iconect_errors_test%.lua:%d+: iconect ", e, "case " .. i .. " blames the caller")
    end
    assert.same({}, log(), "nothing was sent")
  end)

  it("raises 404 as lunet.Error with the server's message", function()
    local e = api_error(function() return ic.projects:get(999) end)
    assert.equals(404, e.status)
    assert.equals("Project 999 was not found", e.message)
    assert.equals("Project 999 was not found", e.body.iconect_error)
    assert.equals(false, e.retryable)
    assert.equals("GET", e.method)
    assert.matches("/iconect/api/v1/projects/999$", e.url)
    assert.equals("iconect: GET /iconect/api/v1/projects/999: 404 Not Found: Project 999 was not found", tostring(e))
    assert.equals("Record 99999 was not found", api_error(function() return p.records:get(99999) end).message)
    assert.equals(404, api_error(function() return p.jobs:wait(77, { timeout = 1 }) end).status)
    assert.equals(404, api_error(function() return ic:project(42).records:list():first() end).status)
  end)

  it("raises 400 with the server's validation message", function()
    local e = api_error(function() return ic.clients:create{ description = "no name", state = 0 } end)
    assert.equals(400, e.status)
    assert.equals("The name field is required.", e.message)
    assert.equals("Field 999 was not found in project 1.",
      api_error(function() return p.records:list{ field_ids = { 999 } }:first() end).message)
    local purge = p.jobs:create{ type = "MassActionDelete", details = {} }
    assert.matches("view_id is required", api_error(function() return p.jobs:start(purge) end).message)
    assert.matches("already exists", api_error(function() return p.fields:create{ { name = "DocID", type = 0 } } end).message)
    assert.matches("cannot be deleted while it is associated", api_error(function() return ic.clients:delete(1) end).message)
    -- a batch request the server refuses as a whole raises, with the report so far
    local n = 0
    local function items()
      n = n + 1
      if n > 5 then return nil end
      return { field_data = { [2] = "B-" .. n } }
    end
    local e2 = api_error(function() return p.records:create(items, { hash_ids = { 999 }, batch_size = 2 }) end)
    assert.equals(400, e2.status)
    assert.matches("hash_ids", e2.message)
    assert.equals("table", type(e2.report))
    assert.equals(0, #e2.report.created)
  end)

  it("renews a revoked token once and succeeds", function()
    assert.equals(600, p.records:count()) -- holds a token now
    local revoked = control:request{ method = "POST", path = "/iconect/_sandbox/revoke-tokens" }.body.revoked
    assert.truthy(revoked >= 1)
    control:request{ method = "DELETE", path = "/_sandbox/requests" }
    assert.equals("ACME000002", p.records:get(2).field_data["2"])
    local seen = {}
    for _, r in ipairs(log()) do seen[#seen + 1] = r.method .. " " .. r.path .. " " .. tostring(r.status) end
    assert.same({ "GET /iconect/api/v1/projects/1/records/2 401", "POST /iconect/identity/openid/token 200",
                  "GET /iconect/api/v1/projects/1/records/2 200" }, seen)
  end)

  it("signs in again when short-lived tokens expire during a listing", function()
    settings{ access_token_lifetime = 1 }
    control:request{ method = "POST", path = "/iconect/_sandbox/revoke-tokens" }
    local n = 0
    for _ in p.records:list{ page_size = 100 } do
      n = n + 1
      if n % 200 == 0 then task.sleep(1.1) end
    end
    assert.equals(600, n)
    local tokens = 0
    for _, r in ipairs(log()) do if r.path == "/iconect/identity/openid/token" then tokens = tokens + 1 end end
    assert.truthy(tokens >= 3, "expected renewals, saw " .. tokens .. " token requests")
  end)

  it("jobs:wait raises a timeout lunet.Error carrying the last job", function()
    settings{ job_step_seconds = 30 }
    local job = p.jobs:create{ type = "DelimitedImport", details = {} }
    p.jobs:start(job)
    local t0 = os.time()
    local e = api_error(function() return p.jobs:wait(job, { timeout = 0.3, interval = 0.1 }) end)
    assert.truthy(os.time() - t0 <= 2, "waited about the timeout")
    assert.equals("timeout", e.code)
    assert.equals(nil, e.status)
    assert.equals("Scheduled", e.job.status_name)
    assert.equals(job.id, e.job.id)
    assert.matches("job " .. job.id .. " did not finish within 0.3 s %(status Scheduled, state Starting: Scheduled%)", e.message)
    assert.matches("^iconect: GET /iconect/api/v1/projects/1/jobs/" .. job.id .. ": job ", tostring(e))
    -- a job nobody started never finishes: timeout = 0 reads it once
    local never = api_error(function() return p.jobs:wait(4, { timeout = 0 }) end)
    assert.equals("Not_Started", never.job.status_name)
  end)

  it("refuses the read-only reviewer's writes with 403; honours routes, token and URL options (second process)", function()
    local out = child [[
      local iconect = require "lunet.iconect"
      local base = { api_url = sandbox .. "/iconect/api/v1", identity_url = sandbox .. "/iconect/identity",
                     client_id = "lunet-sandbox", grant = "password", username = "reviewer", password = "reviewer-password" }
      local result = {}
      local reviewer = iconect.connect(base)
      result.user = reviewer:user().username
      result.count = reviewer:project(1).records:count()
      local ok, e = pcall(reviewer.clients.create, reviewer.clients, { name = "x", description = "y", state = 0 })
      result.forbidden = { ok = ok, status = e.status, message = e.message, line = tostring(e) }
      -- a profile's route override: the same names, other paths
      local opts = {}
      for k, v in pairs(base) do opts[k] = v end
      opts.routes = { user = "GET /projects/2/settings" }
      result.overridden = iconect.connect(opts):user().name
      opts.routes = { ["identity.token"] = "POST /openid/nowhere" }
      local ok2, e2 = pcall(function() return iconect.connect(opts):user() end)
      result.token_route = { ok = ok2, status = e2.status, url = e2.url }
      -- a ready token, no identity_url
      local http = require("lunet.http").connect{ url = sandbox }
      local token = http:request{ method = "POST", path = "/iconect/identity/openid/token",
        form = { grant_type = "password", username = "sandbox", password = "sandbox-password", client_id = "lunet-sandbox" } }.body.access_token
      result.with_token = iconect.connect{ api_url = base.api_url, token = token }:user().username
      local ok3, e3 = pcall(iconect.connect, { api_url = "ftp://x", identity_url = base.identity_url, username = "a", password = "b" })
      result.bad_url = e3
      local ok4, e4 = pcall(iconect.connect, { api_url = base.api_url, username = "a", password = "b" })
      result.no_identity = e4
      local ok5, e5 = pcall(iconect.connect, { api_url = base.api_url, identity_url = base.identity_url, colour = "red" })
      result.unknown = e5
      print(json.encode(result))
    ]]
    assert.equals("reviewer", out.user)
    assert.equals(600, out.count)
    assert.equals(false, out.forbidden.ok)
    assert.equals(403, out.forbidden.status)
    assert.equals("The user 'reviewer' has read-only access to the API", out.forbidden.message)
    assert.matches("^iconect: POST /iconect/api/v1/clients: 403 Forbidden: The user 'reviewer'", out.forbidden.line)
    assert.equals("Globex Internal Investigation", out.overridden)
    assert.equals(false, out.token_route.ok)
    assert.equals(404, out.token_route.status)
    assert.matches("/iconect/identity/openid/nowhere$", out.token_route.url)
    assert.equals("sandbox", out.with_token)
    assert.matches("option 'api_url' must be an http%(s%) URL, got 'ftp://x'", out.bad_url)
    assert.matches("option 'identity_url' is required", out.no_identity)
    assert.matches("colour", out.unknown)
  end)

  -- Faulted tests last: the run's retry budget (10 % of its requests + 20)
  -- grows with the requests the earlier tests made.
  it("pages through 429, 503 and connection resets without losing or repeating records", function()
    faults("path=/iconect/identity;path=/iconect/api,429@3,503@5,reset@7,retry-after=0")
    local retries = lunet.stats().retries
    local seen, n = {}, 0
    for r in p.records:list{ page_size = 50 } do
      assert.falsy(seen[r.id], "repeated " .. r.id)
      seen[r.id], n = true, n + 1
    end
    local faulted = 0
    for _, r in ipairs(log()) do if r.fault ~= json.null then faulted = faulted + 1 end end
    faults("")
    assert.equals(600, n)
    assert.truthy(faulted >= 3, "only " .. faulted .. " faults injected")
    assert.truthy(lunet.stats().retries - retries >= faulted)
  end)

  it("updates through 429, 503, resets and lost answers with every record updated once", function()
    local items = {}
    for i = 1, 600 do items[i] = { id = i, field_data = { [4] = "Custodian " .. i } } end
    -- PUT is idempotent: a lost answer (reset-after) is safely sent again.
    -- Among any five consecutive requests at most four are faulted.
    faults("path=/iconect/identity;path=/iconect/api,429@7,503@11,reset@13,reset-after@17,retry-after=0")
    local r = p.records:update(items, { batch_size = 25 })
    local faulted = 0
    for _, e in ipairs(log()) do if e.fault ~= json.null then faulted = faulted + 1 end end
    faults("")
    assert.equals(600, r.count)
    assert.equals(24, r.batches)
    assert.equals(600, #r.updated)
    assert.equals(0, #r.errors)
    assert.truthy(faulted >= 4, "only " .. faulted .. " faults injected")
    for rec in p.records:list{ page_size = 200, field_ids = { 4 } } do
      assert.equals("Custodian " .. rec.id, rec.field_data["4"])
    end
  end)

  it("creates through 429 and 503 (declined, so retried) with nothing lost or doubled", function()
    faults("path=/iconect/identity;path=/iconect/api,429@3,503@5,retry-after=0")
    local items = {}
    for i = 1, 100 do items[i] = { field_data = { [2] = ("F-%03d"):format(i) } } end
    local r = p.records:create(items, { batch_size = 10, hash_ids = { 2 } })
    faults("")
    assert.equals(100, #r.created)
    assert.equals(0, #r.duplicates)
    assert.equals(0, #r.errors)
    assert.equals(700, p.records:count())
  end)

  it("a create whose connection is reset raises with the report of the batches before it", function()
    -- A POST that may have reached the server is not sent again.
    faults("path=/iconect/identity;path=/iconect/api,reset@3")
    local items = {}
    for i = 1, 10 do items[i] = { field_data = { [2] = "R-" .. i } } end
    local e = api_error(function() return p.records:create(items, { batch_size = 2 }) end)
    faults("")
    assert.equals(nil, e.status)
    assert.same({ 1, 2, 3, 4 }, indexes(e.report.created))
    assert.equals(6, e.report.count)
    assert.equals(604, p.records:count())
  end)
end)
