-- lunet_sync against the built-in iCL Portal emulator: lunet test --sandbox scripts/lunet-sync
local sync = require "lunet_sync"
local lunet = require "lunet"
local state = require "lunet.state"

local function archive_copy(item)
  if item.isDeleted or item.externalId:find("^ARCHIVE%-") then return nil end
  return { externalId = "ARCHIVE-" .. item.externalId, buildingname = item.buildingname,
           strasse = item.strasse, plz = item.plz, ort = item.ort }
end

describe("lunet_sync with iCL Portal", function()
  if not lunet.sandbox then
    pending("needs the sandbox: lunet test --sandbox")
    return
  end
  local icl = require "lunet.icl"
  local portal

  before_each(function()
    local control = require("lunet.http").connect{ url = lunet.sandbox }
    control:request{ method = "POST", path = "/_sandbox/reset" }
    control:request{ method = "POST", path = "/_sandbox/seed/demo" }
    state.use(os.tmpname() .. ".db")
    portal = icl.connect()
  end)

  local function pipeline()
    return sync.pipeline{
      name = "buildings → archive",
      source = sync.sources.icl_changes(portal, { type = "building" }),
      transform = archive_copy,
      destination = sync.destinations.icl_upsert(portal, "building"),
      checkpoint = "sync:archive", batch_size = 250,
    }
  end

  it("copies a change feed into upserts, then resumes from its checkpoint", function()
    local report = pipeline():run()
    assert.truthy(report.read > 1000)
    assert.equals(0, report.failed)
    assert.equals(report.read - report.skipped, report.written)
    assert.equals(report.checkpoint, state.get("checkpoint:sync:archive"))
    assert.equals("ARCHIVE-GB-00001", report.succeeded[1].key)
    local original = portal:content("building"):get("GB-00001")
    assert.equals(original.buildingname, portal:content("building"):get("ARCHIVE-GB-00001").buildingname)

    -- only the archive copies (skipped) and one new change come back
    portal:content("building"):create{ externalId = "NEW-1", buildingname = "New", strasse = "Neugasse 1" }
    local again = pipeline():run()
    assert.equals(1, again.written)
    assert.equals("ARCHIVE-NEW-1", again.succeeded[1].key)
    assert.equals(again.read - 1, again.skipped)
  end)

  it("reports items the portal rejects, by source position", function()
    local p = sync.pipeline{
      source = sync.sources.array({
        { externalId = "A-1", buildingname = "ok", strasse = "S 1" },
        { externalId = "A-2", buildingname = "no street" },
      }),
      destination = sync.destinations.icl_upsert(portal, "building"),
    }
    local report = p:run()
    assert.equals(1, report.written)
    assert.equals(2, report.errored[1].index)
    assert.equals("A-2", report.errored[1].key)
    assert.matches("strasse", report.errored[1].error)
  end)
end)
