-- cd:changes{} against the CoreData emulator (run with --sandbox): the feed
-- built on modified__gte + snapshot_id, its checkpoint, the same-second
-- boundary, changes made behind a running pass, since, follow, faults.
local coredata = require "lunet.coredata"
local lunet = require "lunet"
local state = require "lunet.state"
local task = require "lunet.task"
local sandbox = require "sandbox_control"
local control = sandbox.control

local faults = sandbox.faults
local function clock(body) return control:request{ method = "PUT", path = "/coredata/_control/clock", body = body }.body end
local reseed = sandbox.reseed
local function titles(list)
  local t = {}
  for _, o in ipairs(list) do t[#t + 1] = o.title end
  table.sort(t)
  return t
end
local function drain(feed)
  local out = {}
  for item in feed do out[#out + 1] = item end
  return out
end

local cd, projects
describe("coredata changes()", function()
  before_each(function()
    reseed()
    state.use(os.tmpname() .. ".db")
    clock{ now = "2026-03-01T10:00:00Z", frozen = true }
    cd = coredata.connect()
    projects = cd.projects:list{ page_size = 1000 }:collect()
  end)
  after_each(function() faults("") end)

  it("delivers every object once, then only what changed, from a checkpoint", function()
    local first = drain(cd:changes{ resource = "projects", checkpoint = "p", page_size = 100 })
    assert.equals(310, #first)
    local seen = {}
    for _, o in ipairs(first) do assert.falsy(seen[o.id], "twice: " .. o.id); seen[o.id] = true end
    assert.equals(0, #drain(cd:changes{ resource = "projects", checkpoint = "p" }))
    cd.projects:update(projects[5].id, { title = "Changed 5" })
    cd.projects:update(projects[300].id, { title = "Changed 300" })
    assert.same({ "Changed 300", "Changed 5" }, titles(drain(cd:changes{ resource = "projects", checkpoint = "p" })))
    local saved = state.get("checkpoint:p")
    assert.equals(1, saved.v)
    -- the newest modified (10:00:00) minus the pass's duration (+1 s)
    assert.truthy(saved.since <= "2026-03-01T09:59:59Z" and saved.since >= "2026-03-01T09:59:50Z", saved.since)
    assert.equals(saved.seen["2026-03-01T10:00:00Z"][projects[5].id], cd.projects:get(projects[5].id).snapshot_id)
  end)

  it("delivers two changes made in the same second across two runs, each exactly once", function()
    local name = "same-second"
    drain(cd:changes{ resource = "projects", checkpoint = name })
    local a, b = projects[10], projects[20]
    cd.projects:update(a.id, { title = "A once" })             -- 10:00:00
    assert.same({ "A once" }, titles(drain(cd:changes{ resource = "projects", checkpoint = name })))
    cd.projects:update(b.id, { title = "B in the same second" }) -- still 10:00:00
    assert.same({ "B in the same second" }, titles(drain(cd:changes{ resource = "projects", checkpoint = name })))
    cd.projects:update(a.id, { title = "A twice" })             -- same object, same second, new snapshot
    assert.same({ "A twice" }, titles(drain(cd:changes{ resource = "projects", checkpoint = name })))
    clock{ advance = 1 }
    cd.projects:update(b.id, { description = "next second" })
    local last = drain(cd:changes{ resource = "projects", checkpoint = name })
    assert.equals(1, #last); assert.equals(b.id, last[1].id)
    assert.equals(0, #drain(cd:changes{ resource = "projects", checkpoint = name }))
  end)

  it("finds a change made behind the running pass (modified earlier than the newest seen)", function()
    local name = "behind"
    drain(cd:changes{ resource = "projects", checkpoint = name })
    local early, late = projects[3], projects[305]
    cd.projects:update(projects[100].id, { title = "starts the pass" })
    local got = {}
    for item in cd:changes{ resource = "projects", checkpoint = name, page_size = 2 } do
      got[#got + 1] = item.title
      if #got == 1 then
        clock{ advance = 1 }; cd.projects:update(early.id, { title = "early, behind the pass" })
        clock{ advance = 1 }; cd.projects:update(late.id, { title = "late, ahead of the pass" })
      end
    end
    -- The feed may have fetched its next pages before the two updates (it
    -- requests ahead), so they may arrive in this run or the next one, but
    -- never nowhere and never twice.
    for _, item in ipairs(drain(cd:changes{ resource = "projects", checkpoint = name, page_size = 2 })) do
      got[#got + 1] = item.title
    end
    table.sort(got)
    assert.same({ "early, behind the pass", "late, ahead of the pass", "starts the pass" }, got)
  end)

  it("a slow pass whose newest change it read early re-reads ~1 s, not its whole duration", function()
    clock{ now = "2026-03-01T09:59:56Z", frozen = true }
    cd.projects:update(projects[2].id, { title = "four seconds earlier" })
    clock{ now = "2026-03-01T10:00:00Z", frozen = true }
    cd.projects:update(projects[1].id, { title = "newest, first in the listing" })
    faults("latency=400ms,path=/coredata/api/v2/projects")  -- 7 pages of 50: the pass takes ~3 s
    control:request{ method = "DELETE", path = "/_sandbox/requests" }
    local got = drain(cd:changes{ resource = "projects", since = "2024-01-01", page_size = 50 })
    faults("")
    assert.equals(310, #got)
    local passes = {}
    for _, r in ipairs(control:request{ path = "/_sandbox/requests" }.body.requests) do
      local since = r.path:find("/v2/projects") and tostring(r.query):match("modified__gte=([^&]+)")
      if since and tostring(r.query):find("offset=0", 1, true) then passes[#passes + 1] = since end
    end
    -- The second pass starts at the newest change (10:00:00, seen on the first
    -- page) minus the time the pass had run then (+1 s), not minus its full
    -- duration: it does not re-read the change of 09:59:56.
    assert.equals(2, #passes, table.concat(passes, " "))
    local second = passes[2]:gsub("%%3A", ":")
    assert.truthy(second >= "2026-03-01T09:59:58" and second <= "2026-03-01T09:59:59Z", second)
  end)

  it("resumes after a crash midway, re-delivering at most the unfinished page", function()
    local name = "crash"
    local first = {}
    for item in cd:changes{ resource = "projects", checkpoint = name, page_size = 50 } do
      first[#first + 1] = item.id
      if #first == 75 then break end -- dies in the middle of the second page
    end
    assert.equals(50, state.get("checkpoint:" .. name).pass.offset)
    local rest = drain(cd:changes{ resource = "projects", checkpoint = name, page_size = 50 })
    assert.equals(260, #rest)
    assert.equals(first[51], rest[1].id)
    local all = {}
    for _, id in ipairs(first) do all[id] = true end
    for _, o in ipairs(rest) do all[o.id] = true end
    local n = 0
    for _ in pairs(all) do n = n + 1 end
    assert.equals(310, n)
  end)

  it("since = \"now\" skips history; since = a date starts there", function()
    local feed = cd:changes{ resource = "files", since = "now" }
    assert.equals(0, #drain(feed))
    assert.matches("^<feed changes%(files%) token=since 2024%-01%-", tostring(feed))
    local file = cd.files:list():first()
    cd.files:update(file.id, { title = "after now" })
    assert.same({ "after now" }, titles(drain(feed)))

    local since = cd:changes{ resource = "tasks", since = "2024-01-29T00:00:00Z" }
    local want = cd.tasks:list{ modified__gte = "2024-01-29T00:00:00Z" }:collect()
    assert.truthy(#want > 0 and #want < 90)
    assert.same(titles(want), titles(drain(since)))
    local from_table = drain(cd:changes{ resource = "tasks", since = os.date("*t", os.time() + 86400 * 400) })
    assert.equals(0, #from_table)
    -- a checkpoint that exists wins over since
    drain(cd:changes{ resource = "contacts", checkpoint = "c" })
    assert.equals(0, #drain(cd:changes{ resource = "contacts", checkpoint = "c", since = 0 }))
  end)

  it("follows: keeps polling and delivers changes made later", function()
    local feed = cd:changes{ resource = "contacts", since = "now", follow = true, interval = 0.1 }
    local writer = task.spawn(function()
      task.sleep(0.3)
      cd.contacts:update("2f2672e8-71cf-11ee-848e-47ba9faefc74", { description = "followed" })
    end)
    local got
    for item in feed do got = item; break end
    writer:wait()
    assert.equals("followed", got.description)
  end)

  it("takes filters besides modified, and rejects bad options before sending", function()
    local folder = cd.folders:list():first()
    local files = drain(cd:changes{ resource = "files", filter = { parent = folder } })
    assert.same(titles(cd.files:list{ parent = folder }:collect()), titles(files))
    assert.has_error(function() cd:changes{ resource = "spaces" } end,
      "coredata changes(): resource must be one of contacts, files, projects, tasks")
    assert.has_error(function() cd:changes{ resource = "files", filter = { modified__gt = 1 } } end, "use since")
    assert.has_error(function() cd:changes{ resource = "files", filter = { colour = 1 } } end, "unknown option 'colour'")
    assert.has_error(function() cd:changes{ resource = "files", since = "soon" } end, "option 'since' must be \"now\" or a date")
    assert.has_error(function() cd:changes{ resource = "files", token = "abc" } end, "must be a feed token")
    assert.has_error(function() cd:changes{ resource = "files", page_size = 5000 } end, "from 1 to 1000")
    assert.has_error(function() cd:changes{ resource = "files", every = 1 } end, "unknown option 'every'")
    state.set("checkpoint:foreign", "__________8")
    assert.has_error(function() drain(cd:changes{ resource = "files", checkpoint = "foreign" }) end,
      "not a CoreData feed token")
  end)

  it("loses nothing and repeats nothing under injected faults", function()
    faults("seed=5,503=0.15,429=0.1,reset=0.05,retry-after=0")
    local items = drain(cd:changes{ resource = "projects", checkpoint = "faulty", page_size = 40 })
    faults("")
    assert.equals(310, #items)
    local seen = {}
    for _, o in ipairs(items) do assert.falsy(seen[o.id]); seen[o.id] = true end
    assert.truthy(lunet.stats().retries > 0)
  end)
end)
