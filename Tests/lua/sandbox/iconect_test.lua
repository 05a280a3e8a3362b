-- lunet.iconect against the built-in iCONECT emulator (run with --sandbox):
-- every method of lua-api.md's iCONECT block except files and file stores.
-- Demo data: docs/emulators/iconect.md.
local iconect = require "lunet.iconect"
local lunet = require "lunet"
local json = require "lunet.json"
local sandbox = require "sandbox_control"
local control = sandbox.control

local reseed = sandbox.reseed
local function settings(t) control:request{ method = "PUT", path = "/iconect/_sandbox/settings", body = t } end
local function log()
  local out = {}
  for _, r in ipairs(control:request{ path = "/_sandbox/requests" }.body.requests) do
    if not r.path:find("/openid/", 1, true) then out[#out + 1] = r end
  end
  return out
end
local function field(list, name)
  local t = {}
  for i, x in ipairs(list) do t[i] = x[name] end
  return t
end
local function status_of(fn)
  local ok, e = pcall(fn)
  assert.falsy(ok, "expected an error")
  assert.equals("lunet.Error", getmetatable(e).__name, tostring(e))
  return e.status, e
end

local ic, p
describe("lunet.iconect", function()
  before_each(function()
    reseed()
    ic = iconect.connect()
    p = ic:project(1)
  end)

  it("connects to the sandbox with the password grant and describes itself", function()
    assert.matches("^<iconect connection http://127%.0%.0%.1:%d+/iconect/api/v1 profile=sandbox>$", tostring(ic))
    local user = ic:user()
    assert.equals("sandbox", user.username)
    local system = {}
    for _, pair in ipairs(ic:system()) do system[pair.name] = pair.value end
    assert.equals("11.2.5", system["iCONECT Version"])
    assert.same({ { project_id = 1, project_name = "Acme v. Globex – First Review" } }, ic:upload_target())
    assert.same({ 1, 2 }, field(ic:dataservers(), "id"))
    local r = ic:request{ path = "/projects/2" }
    assert.equals(200, r.status)
    assert.equals("Globex Internal Investigation", r.body.name)
  end)

  it("exposes the enumerations by name and by number", function()
    local e = iconect.enums
    assert.equals(5, e.job_status.Completed)
    assert.equals("CompletedWithErrors", e.job_status[8])
    assert.equals(50006, e.job_type.MassActionDelete)
    assert.equals("LIMITED_TEXT", e.field_type[0])
    assert.equals(2, e.state.Disabled)
    assert.equals(1, e.database_filter.Templates)
    assert.equals("CUSTOM_RELATED", e.panel_type[1])
    assert.equals("Running", e.job_state[2])
    for _, name in ipairs { "NotFound", "Error", "Cancelled", "Completed", "CompletedWithErrors", "Undone",
                            "UndoFailed", "ManualInterventionRequired", "CompletedWithWarnings", "CompletedWithStatus" } do
      assert.truthy(iconect.terminal(name), name .. " is terminal")
      assert.truthy(iconect.terminal(e.job_status[name]), name .. " by number")
    end
    for _, name in ipairs { "Not_Started", "Scheduled", "Working", "WaitingForWorker", "Undoing", "BlockedByOtherWork" } do
      assert.falsy(iconect.terminal(name), name .. " is not terminal")
    end
    assert.truthy(iconect.terminal{ status = 4 })
  end)

  it("lists, gets, creates, updates, deactivates, activates and deletes clients", function()
    assert.same({ "Acme Legal LLP", "Globex Corporation" }, field(ic.clients:list():collect(), "name"))
    assert.equals(1, #ic.clients:list{ limit = 1 }:collect())
    assert.equals("Active", ic.clients:get(1).state_name)
    local c = ic.clients:create{ name = "Initech", description = "TPS reports", state = "Disabled" }
    assert.equals(3, c.id)
    assert.equals(2, c.state)
    assert.equals("Disabled", c.state_name)
    local u = ic.clients:update(c, { name = "Initech Corp", description = "TPS", state = 0 })
    assert.equals("Initech Corp", u.name)
    assert.equals(0, ic.clients:get(3).state)
    assert.matches("deactivated", ic.clients:deactivate(3).iconect_ok)
    assert.equals(2, ic.clients:get(3).state)
    assert.matches("activated", ic.clients:activate("3").iconect_ok)
    assert.equals(0, ic.clients:get(3).state)
    -- a fetched object round-trips: our state_name is not sent
    local again = ic.clients:get(3)
    again.description = "round trip"
    assert.equals("round trip", ic.clients:update(3, again).description)
    assert.matches("deleted", ic.clients:delete(3).iconect_ok)
    assert.equals(404, (status_of(function() return ic.clients:get(3) end)))
  end)

  it("lists projects by type (number or name), gets, creates (also from a template), updates and deletes", function()
    assert.same({ 1, 2 }, field(ic.projects:list():collect(), "id"))
    assert.same({ 3 }, field(ic.projects:list{ type = 1 }:collect(), "id"))
    assert.same({ 3 }, field(ic.projects:list{ type = "Templates" }:collect(), "id"))
    assert.same({ 1, 2, 3 }, field(ic.projects:list{ type = "ProjectsAndTemplates" }:collect(), "id"))
    assert.equals(3, ic.projects:list{ type = 2 }:total())
    assert.equals("Globex Internal Investigation", ic.projects:get(2).name)

    local blank = ic.projects:create{ name = "Blank", description = "no template", client_id = 2, type = "DOCUMENTS" }
    assert.equals(4, blank.id)
    assert.equals(3, blank.type)
    assert.equals("Active", blank.state_name)
    assert.equals(0, #ic:project(blank).fields:list():collect())
    local from = ic.projects:create{ name = "From template", project_template_id = 3 }
    local copy = ic:project(from.id)
    assert.same(field(ic:project(3).fields:list():collect(), "name"), field(copy.fields:list():collect(), "name"))
    assert.equals(11, #copy.fields:list():collect())
    assert.equals(0, copy.records:count())

    local updated = ic.projects:update(from, { name = "Renamed", description = "d" })
    assert.same({ name = "Renamed", description = "d", LID = from.id }, updated)
    assert.matches("deactivated", ic.projects:deactivate(from.id).iconect_ok)
    assert.equals(2, ic.projects:get(from.id).state)
    assert.equals("Disabled", ic.projects:get(from.id).state_name)
    ic.projects:activate(from.id)
    assert.equals(0, ic.projects:get(from.id).state)
    ic.projects:delete(from.id)
    assert.equals(404, (status_of(function() return ic.projects:get(from.id) end)))
  end)

  it("reads a project's settings, data server and client, and adds and removes clients", function()
    assert.equals(p._conn, ic._conn)
    assert.equals(1, p.id)
    assert.equals("table", type(p.files))
    assert.equals("table", type(p.filestores))
    assert.equals("Acme v. Globex – First Review", p:settings().name)
    assert.equals("Acme v. Globex – First Review", p:get().name)
    assert.equals("SQL-PRIMARY", p:dataserver().name)
    assert.equals("Acme Legal LLP", p:client().name)
    assert.matches("added", p:add_client(2).iconect_ok)
    assert.equals(2, p:client().id)
    assert.matches("removed", p:remove_client({ id = 2 }).iconect_ok)
    local status, e = status_of(function() return p:client() end)
    assert.equals(404, status)
    assert.equals("Project 1 has no client", e.message)
  end)

  it("lists, creates several, gets, updates and deletes fields; enum names in bodies", function()
    local names = field(p.fields:list():collect(), "name")
    assert.equals(11, #names)
    assert.equals("DocID", names[2])
    assert.equals("IDENTITY", p.fields:get(1).type_name)
    local created = p.fields:create{
      { name = "Reviewer", type = "LIMITED_TEXT", length = 40 },
      { name = "Score", type = iconect.enums.field_type.NUMERIC, numeric_format = "NORMAL" },
      { name = "Due", type = "date", date_format = "YYYYMMDD" },
    }
    assert.same({ "Reviewer", "Score", "Due" }, field(created, "name"))
    assert.same({ 0, 3, 2 }, field(created, "type"))
    assert.same({ "LIMITED_TEXT", "NUMERIC", "DATE" }, field(created, "type_name"))
    assert.equals(1, created[2].numeric_format)
    assert.equals(6, created[3].date_format)
    local f = created[1]
    assert.equals(40, p.fields:get(f.id).length)
    local u = p.fields:update(f.id, { name = "First Reviewer", type = "LIMITED_TEXT", length = 60 })
    assert.equals("First Reviewer", u.name)
    assert.equals(60, p.fields:get(f).length)
    p.fields:delete(f)
    assert.equals(404, (status_of(function() return p.fields:get(f.id) end)))
    assert.equals(13, #p.fields:list():collect())
  end)

  it("lists panels by type and creates, gets, updates and deletes them", function()
    assert.same({ 1, 2, 3 }, field(p.panels:list():collect(), "id"))
    assert.same({ 1, 2, 3 }, field(p.panels:list{ type = "" }:collect(), "id"))
    assert.same({ 3 }, field(p.panels:list{ type = "CUSTOM_RELATED" }:collect(), "id"))
    assert.same({ 1, 2 }, field(p.panels:list{ type = 0 }:collect(), "id"))
    local n = p.panels:create{ name = "Hot docs", type = "STANDARD", location = 1 }
    assert.equals(4, n.id)
    assert.equals("STANDARD", n.type_name)
    assert.equals("Hot docs", p.panels:get(4).name)
    assert.equals("Very hot", p.panels:update(n, { name = "Very hot" }).name)
    p.panels:delete(4)
    assert.equals(404, (status_of(function() return p.panels:get(4) end)))
  end)

  it("lists folders under a parent, manages them and files records in them", function()
    local fo = p:folders(1)
    assert.same({ 1, 5 }, field(fo:list():collect(), "id"))
    assert.same({ 2, 3 }, field(fo:list{ parent_id = 1 }:collect(), "id"))
    assert.same({ 4 }, field(fo:list{ parent_id = 2 }:collect(), "id"))
    assert.equals("First Pass\\Responsive", fo:get(2).full_name)
    assert.equals(5, #fo:get(0)) -- folder 0: every folder of the panel
    local d = fo:create{ name = "Third Pass", description = "later", parent_id = 5 }
    assert.equals(5, d.parent_id)
    assert.equals("Third Pass", fo:get(d.id).name)
    assert.equals("QC", fo:update(d.id, { name = "QC" }).name)
    assert.same({}, fo:records(d.id))
    fo:add_records(d, { 10, 11, { id = 12 } })
    assert.same({ 10, 11, 12 }, field(fo:records(d.id), "id"))
    assert.truthy((function()
      for _, id in ipairs(p.records:folders(11)) do if id == d.id then return true end end
    end)(), "record 11 knows its folder")
    fo:remove_records(d.id, { 11 })
    assert.same({ 10, 12 }, field(fo:records(d.id), "id"))
    assert.matches("deleted", fo:delete(d.id).iconect_ok)
    assert.equals(404, (status_of(function() return fo:get(d.id) end)))
    assert.equals(404, (status_of(function() return p:folders(99):list():collect() end)))
  end)

  it("pages through records with page and page_size, lazily and with limits", function()
    local c = p.records:list{ page_size = 250 }
    assert.same({}, log(), "nothing fetched before iterating")
    local ids, n = {}, 0
    for r in c do
      n = n + 1
      ids[r.id] = true
    end
    assert.equals(600, n)
    for i = 1, 600 do assert.truthy(ids[i], "record " .. i) end
    local pages = {}
    for _, e in ipairs(log()) do
      if e.path == "/iconect/api/v1/projects/1/records" then pages[#pages + 1] = e.query end
    end
    assert.same({ "page=1&page_size=250", "page=2&page_size=250", "page=3&page_size=250" }, pages)
    local first = p.records:list{ page_size = 7, limit = 10 }:collect()
    assert.same({ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, field(first, "id"))
    local page_lengths = {}
    for page in p.records:list{ page_size = 100, limit = 250 }:pages() do page_lengths[#page_lengths + 1] = #page end
    assert.same({ 100, 100, 50 }, page_lengths)
  end)

  it("lists records with field_ids, record_ids, view_id and size_limit", function()
    local r = p.records:list{ field_ids = { 2, 3 }, page_size = 5 }:first()
    local keys = {}
    for k in pairs(r.field_data) do keys[#keys + 1] = k end
    table.sort(keys)
    assert.same({ "2", "3" }, keys)
    assert.same({ 3, 5, 7 }, field(p.records:list{ record_ids = { 7, 3, 5 }, page_size = 2 }:collect(), "id"))
    local viewed = p.records:list{ view_id = 1, page_size = 4 }:collect()
    assert.same({ 591, 592, 593, 594, 595, 596, 597, 598, 599, 600 }, field(viewed, "id"))
    local long = p.records:get(1).field_data["8"]
    assert.truthy(#long > 20)
    assert.equals(20, utf8.len(p.records:list{ size_limit = 20, field_ids = { 8 } }:first().field_data["8"]))
    assert.equals(long, p.records:list{ size_limit = 0, field_ids = { 8 } }:first().field_data["8"])
  end)

  it("gets records (with field_ids), counts them as an integer, and deletes them", function()
    local r = p.records:get(2)
    assert.equals("ACME000002", r.field_data["2"])
    local only = p.records:get(2, { field_ids = { 3 } })
    assert.equals(nil, only.field_data["2"])
    assert.truthy(only.field_data["3"])
    local n = p.records:count()
    assert.equals(600, n)
    assert.equals("integer", math.type(n))
    assert.matches("deleted", p.records:delete(2).iconect_ok)
    assert.equals(599, p.records:count())
    assert.equals(404, (status_of(function() return p.records:get(2) end)))
    local in_hot = p:folders(1):records(4)[1].id
    local folders = {}
    for _, d in ipairs(p.records:folders(in_hot)) do folders[d] = true end
    assert.truthy(folders[4], "record " .. in_hot .. " is filed in folder 4")
  end)

  it("creates records from any iterator in batches, merging created, duplicates and errors with 1-based indexes", function()
    local input = {
      { field_data = { [2] = "NEW-1", [3] = "one" } },       -- 1 created
      { field_data = { ["2"] = "ACME000001" } },               -- 2 duplicate of record 1
      { field_data = { [2] = "NEW-3", [6] = "many" } },        -- 3 error: Page Count is numeric
      { field_data = { [2] = "NEW-4", [6] = "12" } },          -- 4 created
      { field_data = { [2] = "NEW-1", [3] = "again" } },       -- 5 duplicate of item 1 (an earlier batch)
      "not a record",                                          -- 6 error before sending
      { id = 3 },                                              -- 7 error: no field_data
      { field_data = { [2] = "NEW-8" } },                      -- 8 created
      { field_data = { [1] = 5, [2] = "NEW-9" } },             -- 9 error: IDENTITY is read-only
      { field_data = { [2] = "NEW-8" } },                      -- 10 duplicate of item 8 (an earlier batch)
      { field_data = { [2] = "NEW-11", [5] = "2020-01-31" } }, -- 11 created
    }
    local i = 0
    local function items() i = i + 1; return input[i] end
    local r = p.records:create(items, { hash_ids = { 2 }, batch_size = 3 })
    assert.equals(11, r.count)
    assert.equals(4, r.batches)
    assert.same({ 1, 4, 8, 11 }, field(r.created, "index"))
    assert.same({ 2, 5, 10 }, field(r.duplicates, "index"))
    assert.same({ 3, 6, 7, 9 }, field(r.errors, "index"))
    assert.same({ 601, 602, 603, 604 }, field(r.created, "id"))
    assert.same({ 1, 601, 603 }, field(r.duplicates, "id"))
    assert.matches("Page Count", r.errors[1].error)
    assert.matches("must be a table", r.errors[2].error)
    assert.matches("field_data", r.errors[3].error)
    assert.matches("read%-only", r.errors[4].error)
    assert.equals(604, p.records:count())
    assert.equals("NEW-4", p.records:get(602).field_data["2"])
    assert.equals(12, p.records:get(602).field_data["6"])
    -- every request carried its batch's sendable records only
    local sizes = {}
    for _, e in ipairs(log()) do
      if e.method == "POST" and e.path == "/iconect/api/v1/projects/1/records" then sizes[#sizes + 1] = e.status end
    end
    assert.same({ 200, 200, 200, 200 }, sizes)
    -- a cursor is an input like any other: copy ten records into project 2
    local copied = ic:project(2).records:create(p.records:list{ page_size = 4, limit = 10, field_ids = { 3 } },
      { batch_size = 4 })
    assert.equals(10, #copied.created)
    assert.equals(3, copied.batches)
    assert.equals(40, ic:project(2).records:count())
  end)

  it("updates records in batches: updated and errors with 1-based indexes and ids", function()
    local v3 = p.records:get(3).version
    local input = {
      { id = 3, field_data = { [3] = "changed 3" } },                 -- 1 updated
      { id = 99999, field_data = { [3] = "x" } },                     -- 2 error: not found
      { id = 4, version = 999, field_data = { [3] = "x" } },          -- 3 error: changed meanwhile
      { field_data = { [3] = "no id" } },                             -- 4 error before sending
      { id = 5, field_data = { [6] = "not a number" } },              -- 5 error: numeric
      { id = "6", field_data = { [3] = "changed 6" } },               -- 6 updated (id as digits)
      { id = 7, version = p.records:get(7).version, field_data = { ["3"] = "changed 7" } }, -- 7 updated
    }
    local r = p.records:update(input, { batch_size = 2 })
    assert.equals(7, r.count)
    assert.equals(4, r.batches)
    assert.same({ 1, 6, 7 }, field(r.updated, "index"))
    assert.same({ 3, 6, 7 }, field(r.updated, "id"))
    assert.same({ 2, 3, 4, 5 }, field(r.errors, "index"))
    assert.same({ 99999, 4, 5 }, { r.errors[1].id, r.errors[2].id, r.errors[4].id })
    assert.equals(nil, r.errors[3].id)
    assert.matches("not found", r.errors[1].error)
    assert.matches("changed meanwhile", r.errors[2].error)
    assert.matches("integer id", r.errors[3].error)
    assert.equals("changed 3", p.records:get(3).field_data["3"])
    assert.equals(v3 + 1, p.records:get(3).version)
    assert.equals("changed 6", p.records:get(6).field_data["3"])
    assert.equals("changed 7", p.records:get(7).field_data["3"])
  end)

  it("never lets an update overtake an earlier update of the same record in another batch", function()
    -- The second request on the records path (the first batch) is answered
    -- 400 ms late, the third (the second batch) at once: without waiting,
    -- record 3 would end with the first batch's value.
    sandbox.faults("slow@2,slow-latency=400ms,path=/iconect/api/v1/projects/1/records")
    p.records:get(3)
    local ok, r = pcall(p.records.update, p.records, {
      { id = 3, field_data = { [3] = "old" } }, { id = 4, field_data = { [3] = "x" } },
      { id = 5, field_data = { [3] = "y" } }, { id = "3", field_data = { [3] = "new" } },
    }, { batch_size = 2, concurrency = 2 })
    sandbox.faults("")
    assert.truthy(ok, r)
    assert.same({ 1, 2, 3, 4 }, field(r.updated, "index"))
    assert.equals("new", p.records:get(3).field_data["3"])
  end)

  it("lists jobs as a cursor over start_row/job_count with types by name or number", function()
    assert.same({ 1, 2, 3, 4 }, field(p.jobs:list():collect(), "id"))
    assert.same({ 1, 2, 3, 4 }, field(p.jobs:list{ page_size = 1 }:collect(), "id"))
    local rows = {}
    for _, e in ipairs(log()) do
      if e.path == "/iconect/api/v1/projects/1/jobs" and e.query:find("job_count=1", 1, true) then rows[#rows + 1] = e.query end
    end
    assert.same({ "job_count=1&start_row=0", "job_count=1&start_row=1", "job_count=1&start_row=2",
                  "job_count=1&start_row=3", "job_count=1&start_row=4" }, rows)
    assert.same({ 2 }, field(p.jobs:list{ types = { 50006 } }:collect(), "id"))
    assert.same({ 2, 3 }, field(p.jobs:list{ types = { "MassActionDelete", "NativeImport" } }:collect(), "id"))
    assert.same({ 3 }, field(p.jobs:list{ types = "NativeImport" }:collect(), "id"))
    local j = p.jobs:get(3)
    assert.equals("CompletedWithErrors", j.status_name)
    assert.equals("NativeImport", j.type_name)
  end)

  it("creates, updates, starts, stops, deletes and waits for jobs", function()
    settings{ job_step_seconds = 0.5 } -- start and stop must both land in the 1.5 s before it completes
    local job = p.jobs:create{ type = "DelimitedImport", name = "Load 2", details = { file = "load.dat" } }
    assert.equals("Not_Started", job.status_name)
    assert.equals(50007, job.type)
    assert.equals("Load 3", p.jobs:update(job, { name = "Load 3" }).name)
    assert.equals("Load 3", p.jobs:get(job.id).name)
    local started = p.jobs:start(job)
    assert.equals("Scheduled", started.status_name)
    assert.equals("Starting", started.state_name)
    local stopped = p.jobs:stop(job.id)
    assert.equals("Cancelled", stopped.status_name)
    -- start again and wait: progress is reported until the terminal status
    p.jobs:start(job.id)
    local seen = {}
    local done = p.jobs:wait(job, { timeout = 30, interval = 0.05, progress = function(j) seen[j.status_name] = true end })
    assert.equals("Completed", done.status_name)
    assert.equals("Stopped", done.state_name)
    assert.truthy(seen.Scheduled or seen.WaitingForWorker or seen.Working, "progress callback called")
    local deleted = p.jobs:delete(job.id, { delete_data = false })
    assert.equals(job.id, deleted.id)
    assert.equals(404, (status_of(function() return p.jobs:get(job.id) end)))
    local q
    for _, e in ipairs(log()) do if e.method == "DELETE" then q = e.query end end
    assert.equals("delete_data=false", q)
  end)

  it("runs a delete job over a view and waits; a native import ends CompletedWithErrors", function()
    settings{ job_step_seconds = 0 }
    local view = p.views:create{ selected_ids = { 1, 2, 3 } }
    assert.equals(2, view.id)
    assert.same({ 1, 2, 3 }, field(p.records:list{ view_id = view.id }:collect(), "id"))
    local job = p.jobs:create{ type = 50006, details = {} }
    p.jobs:start(job, { view_id = view.id })
    local done = p.jobs:wait(job.id, { timeout = 10, interval = 0.1 })
    assert.equals("Completed", done.status_name)
    assert.equals(597, p.records:count())
    assert.equals(404, (status_of(function() return p.records:get(1) end)))
    p.jobs:start(3)
    assert.equals("CompletedWithErrors", p.jobs:wait(3, { timeout = 10, interval = 0.1 }).status_name)
    local invert = p.views:create{ search_query = "ACME000599", invert_selection = true }
    assert.equals(596, #p.records:list{ view_id = invert.id, page_size = 500 }:collect())
    p.views:delete(view)
    assert.equals(404, (status_of(function() return p.records:list{ view_id = view.id }:first() end)))
  end)

  it("lists native import templates, by number or name", function()
    assert.same({ 1, 2 }, field(p.templates:list():collect(), "id"))
    assert.same({ 1, 2 }, field(p.templates:list{ type = 7 }:collect(), "id"))
    assert.same({ 1 }, field(p.templates:list{ type = "NativeImport", limit = 1 }:collect(), "id"))
  end)
end)

describe("lunet.doc.iconect", function()
  it("documents every method of every object the binding hands out, with an example that compiles", function()
    local doc = require "lunet.doc.iconect"
    assert.equals("lunet.iconect", doc.module)
    local documented = {}
    for _, f in ipairs(doc.functions) do
      documented[(f.of or "iconect") .. ":" .. f.name] = f
      assert.truthy(type(f.doc) == "string" and #f.doc > 10, f.name .. " has a description")
      assert.truthy(load(f.example, f.name, "t"), (f.of or "") .. ":" .. f.name .. " example compiles")
    end
    local classes = {}
    for _, c in ipairs(doc.classes) do classes[c.name] = true end
    local c = iconect.connect()
    local p = c:project(1)
    local objects = { ["iconect.Connection"] = c, ["iconect.Clients"] = c.clients, ["iconect.Projects"] = c.projects,
      ["iconect.Project"] = p, ["iconect.Fields"] = p.fields, ["iconect.Panels"] = p.panels,
      ["iconect.Folders"] = p:folders(1), ["iconect.Records"] = p.records, ["iconect.Jobs"] = p.jobs,
      ["iconect.Views"] = p.views, ["iconect.Templates"] = p.templates }
    local count = 0
    for class, object in pairs(objects) do
      assert.truthy(classes[class], class .. " is documented")
      for name, v in pairs(getmetatable(object).__index) do
        if type(v) == "function" and not name:match("^__") then
          count = count + 1
          assert.truthy(documented[class .. ":" .. name], class .. ":" .. name .. " is documented")
        end
      end
    end
    for name, v in pairs(iconect) do
      if type(v) == "function" then assert.truthy(documented["iconect:" .. name], "iconect." .. name .. " is documented") end
    end
    assert.equals(63, count)
  end)
end)
