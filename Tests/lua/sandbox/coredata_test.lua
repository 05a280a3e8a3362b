-- lunet.coredata against the built-in CoreData emulator (run with --sandbox):
-- every resource and filter, dates, get/create/update, 404 and 400 errors,
-- downloads (the key never reaches storage), uploads, faults.
local coredata = require "lunet.coredata"
local lunet = require "lunet"
local json = require "lunet.json"
local sandbox = require "sandbox_control"
local control = sandbox.control

local SAMPLE = "2f2672e8-71cf-11ee-848e-47ba9faefc74" -- the seed's sample contact

local faults = sandbox.faults
local reseed = sandbox.reseed
local log = sandbox.log
local clear_log = sandbox.clear_log
local function read(path)
  local f = assert(io.open(path, "rb")); local s = f:read("a"); f:close(); return s
end
local function ids(list)
  local t = {}
  for _, o in ipairs(list) do t[#t + 1] = o.id end
  table.sort(t)
  return t
end
-- Objects of `all` passing `pred`, as sorted ids.
local function where(all, pred)
  local t = {}
  for _, o in ipairs(all) do if pred(o) then t[#t + 1] = o end end
  return ids(t)
end
local function utc(text) return assert(coredata.dates.parse(text)) end
local function contains(list, x) for _, v in ipairs(list) do if v == x then return true end end return false end

local cd
describe("lunet.coredata", function()
  before_each(function() reseed(); cd = coredata.connect() end)
  after_each(function() faults("") end)

  it("connects to the sandbox and rejects unknown options", function()
    assert.matches("^<coredata connection http://127%.0%.0%.1:%d+/coredata profile=sandbox>$", tostring(cd))
    assert.has_error(function() coredata.connect{ secret = "x" } end, "secret")
    assert.equals("<coredata projects>", tostring(cd.projects))
  end)

  it("lists every resource, following meta.next as a path from the host root", function()
    local expected = { spaces = 6, projects = 310, folders = 80, files = 150, contacts = 40, tasks = 90 }
    for name, n in pairs(expected) do
      local c = cd[name]:list{ page_size = 100 }
      local all = c:collect()
      assert.equals(n, #all, name)
      assert.equals(n, c:total(), name)
      assert.equals(n, #ids(all), name)
    end
    clear_log()
    assert.equals(6, #cd.spaces:list{ page_size = 4 }:collect())
    local seen = {}
    for _, r in ipairs(log()) do seen[#seen + 1] = r.method .. " " .. r.path .. "?" .. r.query .. " " .. r.status end
    assert.same({ "GET /coredata/api/v2/spaces/?limit=4&offset=0 200", "GET /coredata/api/v2/spaces/?limit=4&offset=4 200" }, seen)
  end)

  it("limits, takes the first item and stops fetching", function()
    clear_log()
    assert.equals(7, #cd.projects:list{ page_size = 5, limit = 7 }:collect())
    assert.equals(2, #log())
    assert.same(cd.projects:list{ page_size = 3 }:collect()[1], cd.projects:list():first())
    assert.has_error(function() cd.projects:list{ page_size = 1001 } end, "page_size' must be at most 1000")
  end)

  it("filters by title and title__startswith", function()
    local board = cd.projects:list{ title__startswith = "Board", page_size = 1000 }:collect()
    assert.equals(62, #board)
    for _, p in ipairs(board) do assert.matches("^Board", p.title) end
    assert.equals(0, #cd.projects:list{ title__startswith = "board" }:collect()) -- case-sensitive
    local one = cd.projects:list{ title = "Contract 0002" }:collect()
    assert.equals(1, #one); assert.equals("Contract 0002", one[1].title)
    assert.equals(1, #cd.files:list{ title = "Document 007" }:collect())
    assert.equals(45, #cd.tasks:list{ title__startswith = "Follow up" }:collect())
    assert.equals("Signer Signer", cd.contacts:list{ title = "Signer Signer" }:first().title)
  end)

  it("filters files and folders by parent (an id or an object)", function()
    local folder = cd.folders:list():first()
    local files = cd.files:list{ parent = folder }:collect()
    assert.truthy(#files > 0)
    for _, f in ipairs(files) do assert.equals(folder.id, f.parent) end
    assert.same(ids(files), ids(cd.files:list{ parent = folder.id }:collect()))
    local folders = cd.folders:list{ parent = folder.project }:collect()
    assert.equals(2, #folders)
  end)

  it("filters by contact, and the contact's nested lists agree", function()
    for name, n in pairs { projects = 13, files = 3, tasks = 2 } do
      local filtered = cd[name]:list{ associated_contacts_id = SAMPLE }:collect()
      assert.equals(n, #filtered, name)
      assert.same(ids(filtered), ids(cd.contacts[name](cd.contacts, SAMPLE):collect()), name)
      for _, o in ipairs(filtered) do assert.truthy(contains(o.associated_contacts, SAMPLE)) end
    end
    -- nested lists take the nested resource's filters
    local boards = cd.contacts:projects(SAMPLE, { title__startswith = "Board meeting 00" }):collect()
    assert.same({ "Board meeting 0001", "Board meeting 0026", "Board meeting 0051", "Board meeting 0076" },
      (function() local t = {}; for _, p in ipairs(boards) do t[#t + 1] = p.title end; table.sort(t); return t end)())
    local ok, e = pcall(function() return cd.contacts:projects("no-such-contact"):collect() end)
    assert.falsy(ok); assert.equals(404, e.status)
    assert.has_error(function() cd.projects:files(SAMPLE) end, "only contacts have nested files lists")
  end)

  it("filters contacts by identifier and prefix", function()
    local exact = cd.contacts:list{ identifier = "60001019906" }:collect()
    assert.equals(1, #exact); assert.equals(SAMPLE, exact[1].id)
    assert.equals(2, #cd.contacts:list{ identifier__startswith = "600010199" }:collect())
  end)

  it("filters on created and modified with every operation and every kind of Lua date", function()
    local all = cd.projects:list{ page_size = 1000 }:collect()
    local t = utc("2024-01-10T12:00:00Z")
    local function at(field) return function(o) return utc(o[field]) end end
    local mod, cre = at("modified"), at("created")
    local cases = {
      { { modified__gt = t }, function(o) return mod(o) > t end },
      { { modified__gte = "2024-01-10T12:00:00Z" }, function(o) return mod(o) >= t end },
      { { modified__lt = "2024-01-10T13:00:00+01:00" }, function(o) return mod(o) < t end },
      { { created__lte = os.date("*t", t) }, function(o) return cre(o) <= t end },
      { { created__range = { t - 86400, "2024-01-11" } }, function(o) return cre(o) >= t - 86400 and cre(o) <= utc("2024-01-11") end },
      { { modified__range = "2024-01-09T00:00:00Z,2024-01-10T00:00:00Z" },
        function(o) return mod(o) >= utc("2024-01-09") and mod(o) <= utc("2024-01-10") end },
      { { created = all[4].created }, function(o) return o.created == all[4].created end },
      { { modified__gt = t + 0.5 }, function(o) return mod(o) > t end }, -- fractions keep the meaning
      { { modified__gte = t + 0.5 }, function(o) return mod(o) > t end },
    }
    for i, case in ipairs(cases) do
      local got = ids(cd.projects:list(case[1]):collect())
      local want = where(all, case[2])
      assert.truthy(#want > 0 and #want < #all, "case " .. i .. " selects something")
      assert.same(want, got, "case " .. i)
    end
    -- what was sent: ISO 8601 UTC to the second
    clear_log()
    cd.tasks:list{ modified__gt = 0, created__lt = "2024-01-01T01:00:00+01:00" }:first()
    local q = log()[1].query
    assert.matches("modified__gt=1970%-01%-01T00%%3A00%%3A00Z", q)
    assert.matches("created__lt=2024%-01%-01T00%%3A00%%3A00Z", q)
  end)

  it("rejects bad filters and dates before sending anything", function()
    clear_log()
    assert.has_error(function() cd.projects:list{ parent = "x" } end,
      "coredata projects:list(): unknown option 'parent' (projects filters: associated_contacts_id, created, created__gt,")
    assert.has_error(function() cd.spaces:list{ title = "x" } end, "unknown option 'title' (spaces filters: none; options: limit, page_size, prefetch)")
    -- the message points at the caller's line
    local _, where = pcall(function() cd.files:list{ parent = 7 } end)
    assert.matches("^Tests/lua/sandbox/coredata_test%.lua:%d+: coredata files:list%(%): parent must be an id string", where)
    local _, where2 = pcall(function() cd:changes{ resource = "files", filter = { title = 1 } } end)
    assert.matches("^Tests/lua/sandbox/coredata_test%.lua:%d+: coredata changes%(%) filter: title must be", where2)
    assert.has_error(function() cd.projects:list{ modified__gt = "yesterday" } end,
      "coredata projects:list(): modified__gt: 'yesterday' is not ISO 8601")
    assert.has_error(function() cd.projects:list{ modified__gt = "2024-02-30" } end, "'2024-02-30' is not a valid date")
    assert.has_error(function() cd.projects:list{ modified__gt = true } end, "got boolean")
    assert.has_error(function() cd.projects:list{ modified__gt = { year = 2024, month = 13, day = 1 } } end, "month")
    assert.has_error(function() cd.projects:list{ created__range = { 1, 2, 3 } } end, "two dates")
    assert.has_error(function() cd.projects:list{ created__range = { 5, 1 } } end, "is before its start")
    assert.has_error(function() cd.projects:list{ title = 3 } end, "title must be a non-empty string, got number")
    assert.has_error(function() cd.files:list{ parent = {} } end, "parent must be an id string")
    assert.has_error(function() cd.projects:list("Board") end, "options must be a table, got string")
    assert.equals(0, #log())
  end)

  it("gets objects and raises the API's 404 as lunet.Error", function()
    local first = cd.projects:list():first()
    assert.same(first, cd.projects:get(first.id))
    assert.equals("Signer Signer", cd.contacts:get(SAMPLE).title)
    local ok, e = pcall(cd.projects.get, cd.projects, "nope")
    assert.falsy(ok)
    assert.equals("lunet.Error", getmetatable(e).__name)
    assert.equals(404, e.status); assert.equals("coredata", e.api)
    assert.equals("coredata: GET /coredata/api/v2/projects/nope/: 404 Not Found: No Project with id 'nope'.", tostring(e))
    assert.has_error(function() cd.projects:get(42) end, "coredata projects:get(): id must be an id string")
  end)

  it("creates projects and contacts, updates objects, and reports the server's 400", function()
    local space = cd.spaces:list():first()
    local p = cd.projects:create{ space = space, title = "Lunet test project", description = "from a test" }
    assert.equals(space.id, p.space); assert.equals("Lunet test project", p.title)
    assert.same(p, cd.projects:get(p.id))
    local c = cd.contacts:create{ title = "Test Person", identifier = "1234567890" }
    assert.equals("1234567890", cd.contacts:list{ identifier = "1234567890" }:first().identifier)
    local u = cd.projects:update(p.id, { title = "Renamed" })
    assert.equals("Renamed", u.title); assert.truthy(u.snapshot_id ~= p.snapshot_id)
    assert.equals(c.id, cd.contacts:update(c, { description = "x" }).id)

    local ok, e = pcall(cd.projects.create, cd.projects, { space = "no-such-space", title = "X" })
    assert.falsy(ok); assert.equals(400, e.status)
    assert.equals("space: No Space with id 'no-such-space'.", e.message)
    assert.same({ error = "space: No Space with id 'no-such-space'." }, e.body)
    clear_log()
    assert.has_error(function() cd.projects:create{ title = "X" } end, "coredata projects:create(): space must be an id string")
    assert.has_error(function() cd.projects:create{ space = space } end, "title is required")
    assert.has_error(function() cd.contacts:create{ title = "" } end, "title is required (a non-empty string), got an empty string")
    assert.has_error(function() cd.files:create{ title = "x" } end, "only projects and contacts")
    assert.has_error(function() cd.spaces:update(space, {}) end, "spaces cannot be updated")
    assert.equals(0, #log())
  end)

  it("adds the trailing slash to every path, also in cd:request", function()
    clear_log()
    local r = cd:request{ path = "/api/v2/spaces", query = { limit = 1 } }
    assert.equals(200, r.status); assert.equals(1, #r.body.objects)
    local p = cd:request{ method = "POST", path = "/api/v2/contacts", body = { title = "Via request" } }
    assert.equals(201, p.status)
    for _, entry in ipairs(log()) do assert.matches("/$", entry.path) end
    assert.equals(2, #log()) -- no redirect happened
  end)

  it("downloads through the 302 without sending the key to storage, atomically", function()
    local dir = os.tmpname(); os.remove(dir); assert(os.execute("mkdir -p " .. dir))
    local file = cd.files:list{ title = "Document 002" }:first()
    clear_log()
    local r = cd.files:download(file.id, dir .. "/doc.txt")
    assert.equals(200, r.status); assert.equals(file.size, r.bytes)
    assert.matches("^Lunet sandbox demo file 002\n", read(dir .. "/doc.txt"))
    local l = log()
    assert.equals(2, #l)
    assert.equals("/coredata/api/v2/files/" .. file.id .. "/content/", l[1].path); assert.equals(302, l[1].status)
    assert.matches("^/coredata/storage/laika/", l[2].path)
    -- storage answers 400 InvalidArgument to a request carrying Authorization
    assert.equals(200, l[2].status)
    local pdf = cd.files:list{ title = "Document 001" }:first()
    cd.files:download(pdf, dir .. "/doc.pdf")
    assert.matches("^%%PDF%-1%.4", read(dir .. "/doc.pdf"))

    -- failures leave nothing behind
    local ok, e = pcall(cd.files.download, cd.files, "no-such-file", dir .. "/missing.txt")
    assert.falsy(ok); assert.equals(404, e.status)
    assert.falsy(io.open(dir .. "/missing.txt"))
    local ok2, e2 = pcall(cd.files.download, cd.files, file.id, dir .. "/no/such/dir/x.txt")
    assert.falsy(ok2); assert.matches("cannot create a file", tostring(e2))
    assert.has_error(function() cd.files:download(file.id) end, "path must be a non-empty string")
    assert.has_error(function() cd.projects:download(file.id, "x") end, "only files have content")
    -- no temporary files remain
    local p = io.popen("ls -A " .. dir); local listing = p:read("a"); p:close()
    assert.equals("doc.pdf\ndoc.txt\n", listing)
    os.execute("rm -rf " .. dir)
  end)

  it("turns storage's XML errors into lunet.Error fields (an expired link)", function()
    control:request{ method = "PUT", path = "/coredata/_control/links", body = { lifetime = -1 } }
    local path = os.tmpname()
    os.remove(path)
    local ok, e = pcall(cd.files.download, cd.files, cd.files:list():first().id, path)
    control:request{ method = "PUT", path = "/coredata/_control/links", body = { lifetime = 300 } }
    assert.falsy(ok)
    assert.equals(403, e.status); assert.equals("AccessDenied", e.code)
    assert.equals("storage: Request has expired", e.message)
    assert.matches("^coredata: GET /coredata/storage/laika/[^?]*: 403 Forbidden: storage: Request has expired$", tostring(e))
    assert.falsy(tostring(e):find("coredata-sandbox-key", 1, true))
    assert.falsy(io.open(path))
  end)

  it("uploads through the v3 multipart endpoint, streamed from disk, and reads it back", function()
    local folder = cd.folders:list():first()
    local src = os.tmpname() .. ".csv"
    local f = assert(io.open(src, "wb"))
    for i = 1, 20000 do f:write(("row %05d,some,data\n"):format(i)) end
    f:close()
    clear_log()
    local up = cd.files:upload{ folder = folder, path = src, title = "Uploaded table" }
    assert.equals("Uploaded table", up.title); assert.equals(folder.id, up.parent)
    assert.equals(src:match("[^/]+$"), up.filename); assert.equals("text/csv", up.content_type)
    assert.equals(#read(src), up.size)
    assert.same({ "POST /coredata/api/v3/files/ 201" }, { log()[1].method .. " " .. log()[1].path .. " " .. log()[1].status })
    local back = os.tmpname()
    cd.files:download(up.id, back)
    assert.equals(read(src), read(back))
    assert.equals(up.id, cd.files:list{ parent = folder, title = "Uploaded table" }:first().id)
    -- into a project, with a given filename and type
    local project = cd.projects:list():first()
    local p = cd.files:upload{ project = project.id, path = src, filename = "data.bin", content_type = "application/x-test" }
    assert.equals("data.bin", p.title); assert.equals("application/x-test", p.content_type)
    os.remove(src); os.remove(back)
  end)

  -- Regression: streamed uploads once kept their pooled connection leased, so
  -- after 10–25 of them every request timed out waiting for a connection.
  it("keeps the connection pool usable through many uploads in a row", function()
    local folder = cd.folders:list():first()
    local src = os.tmpname()
    local f = assert(io.open(src, "wb")); f:write(("x"):rep(100000)); f:close()
    for i = 1, 40 do
      assert.equals("many " .. i, cd.files:upload{ folder = folder, path = src, title = "many " .. i }.title)
    end
    assert.equals(40, #cd.files:list{ parent = folder, title__startswith = "many " }:collect())
    os.remove(src)
  end)

  it("retries an upload the server declined (503), never one it may have stored", function()
    local folder = cd.folders:list():first()
    local src = os.tmpname()
    local f = assert(io.open(src, "wb")); f:write("retry me\n"); f:close()
    faults("path=/coredata/api/v3/files,503@2")
    cd.files:upload{ folder = folder, path = src, title = "first" }       -- request 1: stored
    clear_log()
    local second = cd.files:upload{ folder = folder, path = src, title = "second" } -- 2: 503, 3: stored
    local seen = {}
    for _, r in ipairs(log()) do seen[#seen + 1] = r.method .. " " .. r.status end
    assert.same({ "POST 503", "POST 201" }, seen)
    assert.equals(1, #cd.files:list{ parent = folder, title = "second" }:collect())
    assert.equals(second.id, cd.files:list{ parent = folder, title = "second" }:first().id)

    faults("path=/coredata/api/v3/files,reset-after@1")
    clear_log()
    local ok, e = pcall(cd.files.upload, cd.files, { folder = folder, path = src, title = "third" })
    faults("")
    assert.falsy(ok)
    assert.equals(nil, e.status); assert.equals(false, e.retryable)
    assert.equals(1, #log(), "not sent again")
    -- the server did store it: a retry would have made a duplicate
    assert.equals(1, #cd.files:list{ parent = folder, title = "third" }:collect())
    os.remove(src)
  end)

  it("checks uploads before sending and reports the server's 400", function()
    local src = os.tmpname()
    local f = assert(io.open(src, "wb")); f:write("x"); f:close()
    clear_log()
    assert.has_error(function() cd.files:upload{ path = src } end, "a parent is required: folder, project or filespace")
    assert.has_error(function() cd.files:upload{ path = src, folder = "a", project = "b" } end, "give one parent")
    assert.has_error(function() cd.files:upload{ path = "/no/such/file", folder = "a" } end, "cannot read /no/such/file")
    assert.has_error(function() cd.files:upload{ path = src, folder = "a", colour = "red" } end, "unknown option 'colour'")
    assert.has_error(function() cd.projects:upload{ path = src, folder = "a" } end, "only files can be uploaded")
    assert.equals(0, #log())
    local ok, e = pcall(cd.files.upload, cd.files, { path = src, folder = "no-such-folder" })
    assert.falsy(ok); assert.equals(400, e.status)
    assert.equals("folder: No Folder with id 'no-such-folder'.", e.message)
    os.remove(src)
  end)

  it("documents every public function in lunet.doc.coredata, with examples that compile", function()
    local doc = require "lunet.doc.coredata"
    local documented = {}
    for _, f in ipairs(doc.functions) do
      documented[(f.of or "") .. ":" .. f.name] = true
      assert.truthy(load(f.example), f.name .. ": example does not compile")
    end
    local expected = { ":connect", ":dates.parse", ":dates.iso", ":dates.show_token",
                       "coredata.Connection:request", "coredata.Connection:changes" }
    for name, v in pairs(getmetatable(cd.projects).__index) do
      if type(v) == "function" and not name:match("^_") then expected[#expected + 1] = "coredata.Resource:" .. name end
    end
    for _, key in ipairs(expected) do assert.truthy(documented[key], key .. " is not documented") end
    for name, v in pairs(coredata) do
      if type(v) == "function" and not name:match("^_") then assert.truthy(documented[":" .. name], name .. " is not documented") end
    end
  end)

  it("retries injected faults while listing, downloading and uploading, and loses nothing", function()
    faults("seed=11,503=0.15,429=0.1,reset=0.05,retry-after=0")
    local all = cd.projects:list{ page_size = 20 }:collect()
    assert.equals(310, #all); assert.equals(310, #ids(all))
    local file = cd.files:list{ title = "Document 003" }:first()
    local path = os.tmpname()
    for _ = 1, 5 do
      cd.files:download(file, path)
      assert.matches("^Lunet sandbox demo file 003\n", read(path))
    end
    faults("")
    local codes = {}
    for _, r in ipairs(log()) do if r.fault then codes[r.fault] = true end end
    assert.truthy(codes["503"] and codes["429"], "faults were injected")
    assert.truthy(lunet.stats().retries > 0)
    os.remove(path)
  end)
end)
