-- lunet.integrator against the integrator.io emulator (run with --sandbox):
-- every method of connections, flows, jobs and state; Link paging across
-- pages; the paged export state sent back verbatim; batched imports with
-- 1-based indexes across batches; jobs progressing after a run.
local integrator = require "lunet.integrator"
local lunet = require "lunet"
local json = require "lunet.json"
local sandbox = require "sandbox_control"
local control = sandbox.control

local reseed = sandbox.reseed
local function log()
  local out = {}
  for _, r in ipairs(control:request{ path = "/_sandbox/requests" }.body.requests) do
    if r.path:find("^/integrator/v1") then out[#out + 1] = r end
  end
  return out
end
local clear_log = sandbox.clear_log
local function job_timing(queued, running)
  control:request{ method = "PUT", path = "/integrator/_control/jobs",
    body = { queuedSeconds = queued, runningSeconds = running } }
end

local SLACK, NETSUITE, HEARTBEAT = "5541e17a1383a6ce6e00000d", "5541489353bb53af29000009", "5a1498b3bc227369ab2aa77b"
local NETSUITE_EXPORT = { type = "netsuite", netsuite = { type = "search", searches = { { recordType = "customRecord" } } } }

local celigo
local function by_name(cursor, name)
  for item in cursor do if item.name == name then return item end end
end

describe("lunet.integrator", function()
  before_each(function()
    reseed()
    celigo = integrator.connect()
  end)

  describe("connect", function()
    it("connects to the sandbox with its token and answers tokenInfo", function()
      assert.matches("^<integrator connection http://127%.0%.0%.1:%d+/integrator/v1 profile=sandbox>$", tostring(celigo))
      assert.same({ _userId = "5e03061cda20740022300f09", scope = "*" }, celigo:token_info())
    end)

    it("rejects unknown options naming them and the known ones", function()
      local e = assert.has_error(function() integrator.connect{ tokn = "x" } end, "tokn")
      assert.matches("region", tostring(e))
      assert.matches("routes", tostring(e))
    end)
  end)

  describe("connections", function()
    it("lists all 250 following the Link header, always passing limit", function()
      local seen, n = {}, 0
      for c in celigo.connections:list() do
        n = n + 1
        assert.falsy(seen[c._id], "duplicate " .. c._id)
        seen[c._id] = true
      end
      assert.equals(250, n)
      local requests = log()
      assert.equals(3, #requests)
      assert.equals("limit=100", requests[1].query)
      assert.matches("skip=100", requests[2].query)
      assert.matches("skip=200", requests[3].query)
      assert.matches("limit=100", requests[3].query)
    end)

    it("pages with page_size, stops at limit, and collects pages", function()
      local sizes = {}
      for page in celigo.connections:list{ page_size = 40 }:pages() do sizes[#sizes + 1] = #page end
      assert.same({ 40, 40, 40, 40, 40, 40, 10 }, sizes)
      clear_log()
      local some = celigo.connections:list{ page_size = 30, limit = 45, prefetch = 0 }:collect()
      assert.equals(45, #some)
      assert.equals(2, #log())
      assert.equals(NETSUITE, celigo.connections:list():first()._id) -- sorted by _id
      assert.has_error(function() celigo.connections:list{ page_size = 1001 } end, "at most 1000")
      assert.has_error(function() celigo.connections:list{ pagesize = 10 } end,
        "integrator connections:list(): unknown option 'pagesize' (known: limit, page_size, prefetch)")
    end)

    it("gets, creates, updates and deletes", function()
      local slack = celigo.connections:get(SLACK)
      assert.equals("Slack API", slack.name)
      assert.equals("******", slack.rest.bearerToken)
      assert.equals("table", type(slack.queues))

      local made = celigo.connections:create{ type = "rest", name = "Lunet test",
        rest = { baseURI = "https://lunet.example.com", mediaType = "json" } }
      assert.equals("string", type(made._id))
      assert.equals("Lunet test", celigo.connections:get(made._id).name)

      local updated = celigo.connections:update(made._id, { type = "rest", name = "Renamed",
        rest = { baseURI = "https://lunet.example.com/v2" } })
      assert.equals("Renamed", updated.name)
      local again = celigo.connections:get(made._id)
      assert.equals("https://lunet.example.com/v2", again.rest.baseURI)
      assert.equals(nil, again.rest.mediaType) -- a PUT replaces the whole connection

      assert.equals(nil, celigo.connections:delete(made._id))
      local e = assert.has_error(function() celigo.connections:get(made._id) end)
      assert.equals(404, e.status)
      assert.equals("not_found", e.code)
      assert.equals(251 - 1, #celigo.connections:list():collect())
    end)

    it("checks arguments before sending anything", function()
      clear_log()
      assert.has_error(function() celigo.connections:get(42) end,
        "integrator connections:get(): id must be a non-empty string, got number")
      assert.has_error(function() celigo.connections:get("") end, "got an empty string")
      assert.has_error(function() celigo.connections:create("x") end, "connection must be a table, got string")
      assert.has_error(function() celigo.connections:update(SLACK) end, "connection must be a table, got nil")
      assert.has_error(function() celigo.connections:ping(true) end, "a connection id or a connection model table")
      assert.has_error(function() celigo.connections:debug(SLACK, { resourceId = "x" }) end, "unknown option 'resourceId'")
      assert.has_error(function() celigo.connections:export(SLACK) end, "export_model must be a table, got nil")
      assert.has_error(function() celigo.connections:export_pages(SLACK, {}, { page_size = 0 }) end, "from 1 to 1000")
      assert.has_error(function() celigo.connections:import(SLACK, {}, nil) end, "records must be an array or an iterator")
      assert.has_error(function() celigo.connections:import(SLACK, {}, {}, { batchsize = 2 }) end, "unknown option 'batchsize'")
      assert.has_error(function() celigo.connections:map(SLACK, {}, "x") end, "records must be a table, got string")
      assert.equals(0, #log())
    end)

    it("pings by id and virtually, raising the server's ping failure", function()
      assert.same({ code = 200 }, celigo.connections:ping(SLACK))
      assert.same({ code = 200 }, celigo.connections:ping{ type = "rest", rest = { baseURI = "https://ok.example.com" } })
      local e = assert.has_error(function()
        celigo.connections:ping{ type = "rest", rest = { baseURI = "https://down.invalid" } }
      end)
      assert.equals(422, e.status)
      assert.equals("ping_failed", e.code)
      local missing = assert.has_error(function() celigo.connections:ping{ name = "no type" } end)
      assert.equals("missing_required_field", missing.code)
      assert.equals(250, #celigo.connections:list():collect()) -- a virtual ping saves nothing
      local zendesk = by_name(celigo.connections:list(), "Zendesk 025") -- every 25th is offline
      assert.equals(true, zendesk.offline)
      local offline = assert.has_error(function() celigo.connections:ping(zendesk._id) end)
      assert.equals("ping_failed", offline.code)
    end)

    it("reads the debug log, filtered by resource", function()
      local all = celigo.connections:debug(SLACK)
      assert.matches("conversations%.list 200", all)
      local model = { _id = "exp-1", type = "rest", rest = { relativeURI = "conversations.list" }, pageSize = 5 }
      celigo.connections:export(SLACK, model)
      celigo.connections:export(SLACK, { _id = "exp-2", rest = { relativeURI = "conversations.list" } })
      local one = celigo.connections:debug(SLACK, { resource = "exp-1" })
      assert.matches("conversations%.list: 5 record", one)
      assert.falsy(one:find("20 record", 1, true), "exp-2's line is filtered out: " .. one)
      local requests = log()
      assert.equals("_resourceId=exp-1", requests[#requests].query)
    end)

    it("runs a virtual export: the first page only", function()
      local answer = celigo.connections:export(SLACK, { rest = { relativeURI = "conversations.list" }, pageSize = 10 })
      assert.equals(10, #answer.data)
      assert.equals("channel-1", answer.data[1].name)
      assert.equals(10, #answer.dataURIs)
    end)
  end)

  describe("export_pages", function()
    it("pages through 822 records, sending each state back until done", function()
      local model = { type = "netsuite", netsuite = NETSUITE_EXPORT.netsuite, pageSize = 100 }
      local rows = {}
      for record in celigo.connections:export_pages(NETSUITE, model) do rows[#rows + 1] = record.row end
      assert.equals(822, #rows)
      for i, row in ipairs(rows) do assert.equals(i, row) end
      local requests = log()
      assert.equals(9, #requests)
      for _, r in ipairs(requests) do
        assert.equals("POST", r.method)
        assert.equals(200, r.status)
      end
    end)

    it("takes the page size from the options and honours limit", function()
      local cursor = celigo.connections:export_pages(NETSUITE, NETSUITE_EXPORT, { page_size = 5, limit = 12, prefetch = 0 })
      assert.equals(12, #cursor:collect())
      assert.equals(3, #log())
      clear_log()
      local pages = 0
      for page in celigo.connections:export_pages(NETSUITE, NETSUITE_EXPORT, { page_size = 1000 }):pages() do
        pages = pages + 1
        assert.equals(822, #page)
      end
      assert.equals(1, pages)
    end)

    it("exports an empty resource as no records", function()
      assert.equals(0, #celigo.connections:export_pages(SLACK, { rest = { relativeURI = "nothing" } }):collect())
      assert.equals(1, #log())
    end)

    it("sends back the state text exactly as received", function()
      -- The helper that lifts the state out of the answer keeps its bytes:
      -- key order, spacing and number spelling included.
      local raw = '{"data":[{"x":"}\\"]"}],"pagedExportState" : {"z":1.50,"a":[1,"}{"],"sig":"ab\\"c"} ,"t":true}'
      assert.equals('{"z":1.50,"a":[1,"}{"],"sig":"ab\\"c"}', integrator._member(raw, "pagedExportState"))
      assert.equals(nil, integrator._member('{"data":[]}', "pagedExportState"))
      assert.equals("true", integrator._member(raw, "t"))
      assert.equals(nil, integrator._member('[1,2]', "t"))
    end)

    it("a tampered or replayed state is rejected by the server", function()
      local model = { type = "netsuite", netsuite = NETSUITE_EXPORT.netsuite, pageSize = 100 }
      local path = "/connections/" .. NETSUITE .. "/export/pages"
      local first = celigo:request{ method = "POST", path = path, body = { export = model } }.body
      assert.equals(2, first.pagedExportState.pageIndex)
      local state = first.pagedExportState
      local second = celigo:request{ method = "POST", path = path, body = { export = model, pagedExportState = state } }.body
      assert.equals(101, second.data[1].row)
      -- the same state again (a retry after a lost answer) repeats the page
      local repeated = celigo:request{ method = "POST", path = path, body = { export = model, pagedExportState = state } }.body
      assert.equals(101, repeated.data[1].row)
      -- changed page index: the signature no longer matches
      local tampered = {}
      for k, v in pairs(second.pagedExportState) do tampered[k] = v end
      tampered.pageIndex = 5
      local e = assert.has_error(function()
        celigo:request{ method = "POST", path = path, body = { export = model, pagedExportState = tampered } }
      end)
      assert.equals(400, e.status)
      assert.equals("invalid_paged_export_state", e.code)
      assert.equals("integrator", e.api)
      assert.matches("signature", e.message)
      -- a different export model with a valid state
      local other = assert.has_error(function()
        celigo:request{ method = "POST", path = path,
          body = { export = { type = "netsuite", pageSize = 100 }, pagedExportState = second.pagedExportState } }
      end)
      assert.equals("invalid_paged_export_state", other.code)
    end)

    it("starts a new search when a loop is run again", function()
      local cursor = celigo.connections:export_pages(NETSUITE, NETSUITE_EXPORT, { page_size = 400 })
      assert.equals(822, #cursor:collect())
      assert.equals(822, #cursor:collect())
      assert.equals(6, #log())
    end)
  end)

  describe("import", function()
    local model = {
      _id = "imp-1", rest = { relativeURI = "/beats" },
      mapping = { fields = {
        { extract = "who", generate = "name", required = true },
        { extract = "mail", generate = "email" },
        { hardCodedValue = "lunet", generate = "source" },
      } },
    }

    it("batches any iterator and reports every record with its 1-based index", function()
      local input = {}
      for i = 1, 10 do
        input[i] = { who = "user " .. i, mail = "u" .. i .. "@example.com" }
      end
      input[2].mail = "not-an-address"
      input[6].who = nil
      input[9] = { mail = "x@example.com" }
      local i = 0
      local report = celigo.connections:import(HEARTBEAT, model, function()
        i = i + 1
        return input[i]
      end, { batch_size = 3 })
      assert.equals(10, report.count)
      assert.equals(4, report.batches)
      local ok, bad = {}, {}
      for _, s in ipairs(report.succeeded) do
        ok[#ok + 1] = s.index
        assert.equals("string", type(s.id))
        assert.equals(200, s.statusCode)
      end
      for _, e in ipairs(report.errored) do bad[#bad + 1] = e.index end
      assert.same({ 1, 3, 4, 5, 7, 8, 10 }, ok)
      assert.same({ 2, 6, 9 }, bad)
      assert.equals(422, report.errored[1].statusCode)
      assert.equals("invalid_field", report.errored[1].errors[1].code)
      assert.equals("email", report.errored[1].errors[1].field)
      assert.equals("missing_required_field", report.errored[2].errors[1].code)
      assert.equals(4, #log())
      -- the accepted records are stored: a virtual export reads them back
      local stored = celigo.connections:export(HEARTBEAT, { rest = { relativeURI = "/beats" }, pageSize = 100 }).data
      assert.equals(7, #stored)
      assert.same({ name = "user 1", email = "u1@example.com", source = "lunet" },
        { name = stored[1].name, email = stored[1].email, source = stored[1].source })
    end)

    it("accepts an array and a cursor as input, concurrently", function()
      local report = celigo.connections:import(HEARTBEAT, { rest = { relativeURI = "/copies" } },
        celigo.connections:export_pages(SLACK, { rest = { relativeURI = "conversations.list" }, pageSize = 10 }),
        { batch_size = 7, concurrency = 3 })
      assert.equals(45, report.count)
      assert.equals(7, report.batches)
      assert.equals(45, #report.succeeded)
      for i, s in ipairs(report.succeeded) do assert.equals(i, s.index) end
      local arr = celigo.connections:import(HEARTBEAT, { rest = { relativeURI = "/copies" } }, { { a = 1 }, {} })
      assert.equals(1, #arr.succeeded)
      assert.equals(2, arr.errored[1].index)
    end)

    it("maps records without storing them", function()
      local mapped = celigo.connections:map(HEARTBEAT, model, { { who = "Ann", mail = "a@example.com" }, { who = "Bo" } })
      assert.same({ { name = "Ann", email = "a@example.com", source = "lunet" }, { name = "Bo", source = "lunet" } }, mapped)
      assert.same({}, celigo.connections:map(HEARTBEAT, model, {}))
      assert.equals(0, #celigo.connections:export(HEARTBEAT, { rest = { relativeURI = "/beats" } }).data)
    end)
  end)

  describe("flows and jobs", function()
    it("lists and gets flows", function()
      local flows = celigo.flows:list():collect()
      assert.equals(5, #flows)
      local orders = by_name(celigo.flows:list{ page_size = 2 }, "Orders to NetSuite")
      assert.equals("Orders to NetSuite", celigo.flows:get(orders._id).name)
    end)

    it("runs a flow and waits for its job to progress to completed", function()
      job_timing(0.3, 0.6)
      local flow = by_name(celigo.flows:list(), "Orders to NetSuite")
      local run = celigo.flows:run(flow._id)
      assert.equals("string", type(run._jobId))
      local job = celigo.jobs:get(run._jobId)
      assert.equals("queued", job.status)
      assert.equals(flow._id, job._flowId)
      local done = celigo.jobs:wait(run._jobId, { timeout = 10, interval = 0.1 })
      assert.equals("completed", done.status)
      assert.equals(120, done.numSuccess)
      assert.equals("string", type(done.endedAt))
      local statuses = {}
      for _, r in ipairs(log()) do if r.path:find("/jobs/", 1, true) then statuses[#statuses + 1] = r.status end end
      assert.truthy(#statuses >= 4, "polled " .. #statuses .. " times")
      local listed = celigo.jobs:list{ _flowId = flow._id, limit = 1 }:first()
      assert.equals(run._jobId, listed._id) -- newest first
    end)

    it("reports a failed job and a disabled flow", function()
      job_timing(0, 0.2)
      local flow = by_name(celigo.flows:list(), "Inventory sync")
      local job = celigo.jobs:wait(celigo.flows:run(flow._id)._jobId, { interval = 0.05 })
      assert.equals("failed", job.status)
      assert.truthy(job.numError > 0)
      local disabled = by_name(celigo.flows:list(), "Legacy FTP import")
      local e = assert.has_error(function() celigo.flows:run(disabled._id) end)
      assert.equals("flow_disabled", e.code)
      assert.equals(422, e.status)
    end)

    it("times out waiting, with the last job in the error", function()
      job_timing(5, 5)
      local flow = by_name(celigo.flows:list(), "Heartbeat")
      local id = celigo.flows:run(flow._id)._jobId
      local ok, e = pcall(celigo.jobs.wait, celigo.jobs, id, { timeout = 0.3, interval = 0.1 })
      assert.falsy(ok)
      assert.equals("lunet.Error", getmetatable(e).__name)
      assert.equals("timeout", e.code)
      assert.equals(true, e.retryable) -- waiting longer may succeed
      assert.equals("integrator", e.api)
      assert.equals("queued", e.job.status)
      assert.equals(id, e.job._id)
      assert.matches("still queued after 0.3s", tostring(e))
      assert.has_error(function() celigo.jobs:wait(id, { timeout = -1 }) end, "non-negative number of seconds")
      -- 0 would poll back to back until the timeout
      assert.has_error(function() celigo.jobs:wait(id, { interval = 0 }) end, "'interval' must be a positive number of seconds")
    end)

    it("lists jobs newest first, paging by createdAt_lte without loss or repeats", function()
      local jobs = celigo.jobs:list{ createdAt_gte = "2024-03-01T00:00:00Z", page_size = 7 }:collect()
      assert.equals(40, #jobs)
      local seen = {}
      for i, job in ipairs(jobs) do
        assert.falsy(seen[job._id])
        seen[job._id] = true
        if i > 1 then assert.truthy(job.createdAt < jobs[i - 1].createdAt, "newest first") end
      end
      local requests = log()
      -- each page after the first asks for createdAt <= the last job seen, so it
      -- overlaps by that job (dropped): 7 + 6 * 5 + 3
      assert.equals(7, #requests)
      assert.falsy(requests[1].query:find("createdAt_lte", 1, true))
      local query = requests[2].query:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end)
      assert.truthy(query:find("createdAt_lte=" .. jobs[7].createdAt, 1, true), query)
      -- filters and a starting createdAt_lte
      local flow = by_name(celigo.flows:list(), "Customers to Salesforce")
      local mine = celigo.jobs:list{ _flowId = flow._id, createdAt_lte = jobs[20].createdAt, page_size = 2 }:collect()
      for _, job in ipairs(mine) do
        assert.equals(flow._id, job._flowId)
        assert.truthy(job.createdAt <= jobs[20].createdAt)
      end
      assert.truthy(#mine >= 4)
      assert.equals(10, #celigo.jobs:list{ _flowId = flow._id, status = "completed" }:collect())
    end)

    it("delivers jobs sharing a millisecond across page boundaries exactly once", function()
      -- A stand-in server (only jobs.list is called): 30 jobs, 12 of them
      -- created in the same millisecond, answered newest first with
      -- createdAt_lte and limit as integrator.io does.
      local jobs = {}
      for n = 1, 30 do
        local ms = (n >= 10 and n <= 21) and 500 or (n < 10 and 900 + n or 100 + n)
        jobs[n] = { _id = ("J%02d"):format(n), createdAt = ("2024-03-02T00:00:00.%03dZ"):format(ms) }
      end
      table.sort(jobs, function(a, b)
        if a.createdAt ~= b.createdAt then return a.createdAt > b.createdAt end
        return a._id < b._id
      end)
      local asked = {}
      local fake = { _call = function(_, route, _, opts)
        assert.equals("jobs.list", route)
        local lte = opts.query.createdAt_lte and integrator._epoch_ms(opts.query.createdAt_lte)
        asked[#asked + 1] = opts.query.limit
        local out = {}
        for _, job in ipairs(jobs) do
          if #out < opts.query.limit and (lte == nil or integrator._epoch_ms(job.createdAt) <= lte) then
            out[#out + 1] = job
          end
        end
        return out
      end }
      local stand_in = setmetatable({ _conn = fake }, getmetatable(celigo.jobs))
      local got = stand_in:list{ _flowId = "f", page_size = 5 }:collect()
      local ids, seen = {}, {}
      for i, job in ipairs(got) do
        assert.falsy(seen[job._id], job._id .. " twice")
        seen[job._id] = true
        ids[i] = job._id
      end
      assert.equals(30, #got)
      for i, job in ipairs(jobs) do assert.equals(job._id, ids[i]) end
      local grew = false
      for _, limit in ipairs(asked) do if limit > 5 then grew = true end end
      assert.truthy(grew, "a page of already-delivered jobs asks for a bigger page")
    end)

    it("needs an id or date filter before sending", function()
      clear_log()
      assert.has_error(function() celigo.jobs:list{ status = "running" } end,
        "integrator jobs:list(): needs an id or date filter")
      assert.has_error(function() celigo.jobs:list{ _flowid = "x" } end, "unknown option '_flowid'")
      assert.equals(0, #log())
    end)

    it("converts ISO timestamps to epoch milliseconds for the boundary step", function()
      assert.equals(0, integrator._epoch_ms("1970-01-01T00:00:00Z"))
      assert.equals(1709337600123, integrator._epoch_ms("2024-03-02T00:00:00.123Z"))
      assert.equals(951782400000, integrator._epoch_ms("2000-02-29T00:00:00.000Z"))
      assert.equals(nil, integrator._epoch_ms("yesterday"))
    end)
  end)

  describe("state", function()
    it("gets, puts, lists and deletes keys", function()
      assert.same({ message = "Don't slip!" }, celigo.state:get("banana"))
      assert.equals(nil, celigo.state:get("absent"))
      assert.same({ "banana", "lastSync" }, celigo.state:keys())
      celigo.state:put("cursor", { at = "2024-03-02T00:00:00Z", n = 3 })
      celigo.state:put("cursor", { at = "2024-03-03T00:00:00Z", n = 4 })
      celigo.state:put("text", "plain")
      celigo.state:put("a/b c", 42)
      assert.same({ at = "2024-03-03T00:00:00Z", n = 4 }, celigo.state:get("cursor"))
      assert.equals("plain", celigo.state:get("text"))
      assert.equals(42, celigo.state:get("a/b c"))
      assert.same({ "a/b c", "banana", "cursor", "lastSync", "text" }, celigo.state:keys())
      assert.equals(true, celigo.state:delete("cursor"))
      assert.equals(false, celigo.state:delete("cursor"))
      assert.equals(nil, celigo.state:get("cursor"))
      for _, k in ipairs(celigo.state:keys()) do celigo.state:delete(k) end
      assert.same({}, celigo.state:keys()) -- the server answers 204
      assert.has_error(function() celigo.state:get(1) end, "integrator state:get(): key must be a non-empty string")
      assert.has_error(function() celigo.state:put("k") end, "value must not be nil")
    end)
  end)

  describe("help", function()
    it("documents every public function and method with an example that compiles", function()
      local doc = require "lunet.doc.integrator"
      assert.equals("lunet.integrator", doc.module)
      local entries = {}
      for _, f in ipairs(doc.functions) do
        entries[(f.of or "integrator") .. ":" .. f.name] = f
        assert.truthy(load(f.example, "=" .. f.name .. " example"), "example of " .. f.name .. " does not compile")
        assert.truthy(#f.doc > 10, f.name)
      end
      local classes = {
        ["integrator.Connection"] = getmetatable(celigo).__index,
        ["integrator.Connections"] = getmetatable(celigo.connections).__index,
        ["integrator.Flows"] = getmetatable(celigo.flows).__index,
        ["integrator.Jobs"] = getmetatable(celigo.jobs).__index,
        ["integrator.State"] = getmetatable(celigo.state).__index,
      }
      local n = 0
      for class, methods in pairs(classes) do
        for name, fn in pairs(methods) do
          if type(fn) == "function" and not name:find("^_") then
            n = n + 1
            assert.truthy(entries[class .. ":" .. name], class .. ":" .. name .. " is not documented")
          end
        end
      end
      assert.truthy(entries["integrator:connect"])
      assert.equals(n + 1, #doc.functions)
    end)
  end)
end)
