-- lunet.icl against the built-in iCL Portal emulator (run with --sandbox).
local icl = require "lunet.icl"
local lunet = require "lunet"
local state = require "lunet.state"
local sandbox = require "sandbox_control"
local control = sandbox.control

local function reseed()
  control:request{ method = "POST", path = "/_sandbox/reset" }
  control:request{ method = "POST", path = "/_sandbox/seed/demo" }
end

local portal
describe("lunet.icl", function()
  before_each(function() reseed(); portal = icl.connect() end)

  it("connects to the sandbox and describes itself", function()
    assert.matches("^<icl connection http://127%.0%.0%.1:%d+/icl profile=sandbox>$", tostring(portal))
  end)

  it("lists with OData filters, page sizes and totals, lazily", function()
    local b = portal:content("building")
    local c = b:list{ filter = "substringof('wien',tolower(Ort))", orderby = "ExternalId", page_size = 100 }
    local total = c:total()
    assert.truthy(total > 100)
    local items = c:collect()
    assert.equals(total, #items)
    for i = 2, #items do assert.truthy(items[i].externalId > items[i - 1].externalId) end
    for _, item in ipairs(items) do assert.matches("[Ww]ien", item.ort) end
    assert.equals(5, #b:list{ page_size = 2, limit = 5 }:collect())
  end)

  it("lists all types with $type and refuses custom fields there", function()
    local first = portal:content():list{ page_size = 10 }:first()
    assert.truthy(first["$type"])
    local ok, e = pcall(function() return portal:content():list{ filter = "Ort eq 'Wien'" }:first() end)
    assert.falsy(ok)
    assert.equals(400, e.status)
    assert.equals("icl", e.api)
  end)

  it("gets by _id, contentItemId or externalId, and raises 404 as lunet.Error", function()
    local b = portal:content("building")
    local item = b:get("GB-00001")
    assert.equals("GB-00001", b:get(item._id).externalId)
    assert.equals("GB-00001", b:get(item.contentItemId).externalId)
    local ok, e = pcall(b.get, b, "no-such-item")
    assert.falsy(ok)
    assert.equals(404, e.status)
    assert.matches("^icl: GET /icl/api/content/building/no%-such%-item: 404", tostring(e))
  end)

  it("creates, replaces (a full PUT) and soft-deletes", function()
    local b = portal:content("building")
    local created = b:create{ externalId = "T-1", buildingname = "Test", strasse = "Teststraße 1", plz = "1010" }
    assert.truthy(created._id)
    local replaced = b:replace("T-1", { externalId = "T-1", buildingname = "Test 2", strasse = "Neu 2" })
    assert.equals("Test 2", replaced.buildingname)
    assert.equals(nil, replaced.plz) -- omitted fields are removed
    b:delete("T-1")
    local ok, e = pcall(b.get, b, "T-1")
    assert.equals(404, e.status)
    local ok2, e2 = pcall(b.delete, b, "T-1")
    assert.equals(404, e2.status)
  end)

  it("upserts in atomic batches: invalid items roll their batch back", function()
    local b = portal:content("building")
    local items = {}
    for i = 1, 7 do items[i] = { externalId = "U-" .. i, buildingname = "U" .. i, strasse = "Gasse " .. i } end
    items[5].strasse = nil -- invalid: strasse is required
    local r = b:upsert(items, { batch_size = 3 })
    assert.equals(7, r.count); assert.equals(3, r.batches)
    assert.same({ 1, 2, 3, 7 }, (function() local t = {}; for _, s in ipairs(r.succeeded) do t[#t + 1] = s.index end; return t end)())
    assert.equals(1, #r.errored); assert.equals(5, r.errored[1].index); assert.matches("strasse", r.errored[1].error)
    assert.same({ { index = 4, externalId = "U-4" }, { index = 6, externalId = "U-6" } }, r.rolled_back)
    assert.equals("Gasse 1", b:get("U-1").strasse)
    assert.has_error(function() b:get("U-4") end)
  end)

  it("upserts with ignore-errors: valid items are stored", function()
    local b = portal:content("building")
    local r = b:upsert({ { externalId = "V-1", buildingname = "V", strasse = "S" }, { externalId = "V-2", buildingname = "V" } },
      { atomic = false })
    assert.equals(1, #r.succeeded); assert.equals(1, #r.errored); assert.equals(0, #r.rolled_back)
    assert.equals("S", b:get("V-1").strasse)
  end)

  it("upserts items of one batch that share an externalId in order, each reported", function()
    local b = portal:content("building")
    local r = b:upsert({ { externalId = "D-1", buildingname = "first", strasse = "S" },
                         { externalId = "D-2", buildingname = "other", strasse = "S" },
                         { externalId = "D-1", buildingname = "second", strasse = "S" } })
    assert.equals(0, #r.errored); assert.equals(0, #r.rolled_back)
    local indexes = {}
    for _, s in ipairs(r.succeeded) do indexes[#indexes + 1] = s.index .. "=" .. s.externalId end
    assert.same({ "1=D-1", "2=D-2", "3=D-1" }, indexes)
    assert.equals("second", b:get("D-1").buildingname)
  end)

  it("never lets an item overtake an earlier one with the same externalId in another batch", function()
    local b = portal:content("building")
    -- The second content request (the first batch) is answered 400 ms late,
    -- the third (the second batch) at once: without waiting, the second
    -- batch's D-9 would be stored first and then overwritten by the first's.
    sandbox.faults("slow@2,slow-latency=400ms,path=/icl/api/content")
    b:list{ limit = 1 }:collect()
    local ok, r = pcall(b.upsert, b, {
      { externalId = "D-9", buildingname = "old", strasse = "S" }, { externalId = "D-10", buildingname = "x", strasse = "S" },
      { externalId = "D-11", buildingname = "y", strasse = "S" }, { externalId = "D-9", buildingname = "new", strasse = "S" },
    }, { batch_size = 2, concurrency = 2 })
    sandbox.faults("")
    assert.truthy(ok, r)
    assert.equals(4, #r.succeeded)
    assert.equals("new", b:get("D-9").buildingname)
  end)

  it("checks upsert input before sending", function()
    local ok, e = pcall(portal:content("building").upsert, portal:content("building"), { { buildingname = "x" } })
    assert.falsy(ok)
    assert.matches("has no externalId", e)
    assert.has_error(function() portal:content("building"):upsert({}, { batchsize = 2 }) end, "unknown option 'batchsize'")
  end)

  it("reads change feeds to the end, page by page, with deletions", function()
    local feed = portal:changes{ type = "building" }
    local n, deleted = 0, 0
    for item in feed do
      n = n + 1
      if item.isDeleted then deleted = deleted + 1 end
    end
    assert.truthy(n > 1000, "only " .. n .. " changes")
    assert.truthy(deleted > 0)
    assert.equals("string", type(feed.token))
  end)

  it("checkpoints a feed and resumes with only new changes", function()
    state.use(os.tmpname() .. ".db")
    local name = "icl-test-" .. os.time()
    local n = 0
    for _ in portal:changes{ type = "building", checkpoint = name } do n = n + 1 end
    assert.truthy(n > 0)
    assert.truthy(state.get("checkpoint:" .. name))
    portal:content("building"):create{ externalId = "NEW-1", buildingname = "New", strasse = "X" }
    local again = {}
    for item in portal:changes{ type = "building", checkpoint = name } do again[#again + 1] = item.externalId end
    assert.same({ "NEW-1" }, again)
  end)

  it("starts a feed from now", function()
    local feed = portal:changes{ since = "now" }
    assert.equals(nil, feed())
    portal:content("building"):create{ externalId = "NOW-1", buildingname = "Now", strasse = "Y" }
    local item = feed()
    assert.equals("NOW-1", item.externalId)
    assert.equals("building", item["$type"])
  end)

  it("manages content types", function()
    local names = {}
    for t in portal:types():list() do names[#names + 1] = t.name end
    table.sort(names)
    assert.same({ "building", "elevator", "site" }, names)
    local building = portal:type("building"):get()
    assert.equals("building", building.name)
    local path = os.tmpname()
    local d = portal:type("building"):download(path)
    assert.equals(200, d.status)
    local f = assert(io.open(path)); local text = f:read("a"); f:close(); os.remove(path)
    assert.matches('"name"', text)
    local ok, e = pcall(function() portal:type("building"):delete() end)
    assert.falsy(ok) -- still has items
    assert.equals(400, e.status)
  end)

  it("checks arguments before sending", function()
    assert.has_error(function() portal:content(42) end, "icl content(): type must be a string or nil, got number")
    assert.has_error(function() portal:content("building"):list{ pagesize = 3 } end, "unknown option 'pagesize'")
    assert.has_error(function() portal:content():get("x") end, "needs a content type")
    assert.has_error(function() portal:changes{ type = 5 } end, "type must be a")
  end)
end)
