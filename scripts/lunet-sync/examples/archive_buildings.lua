-- Copy every changed building of one iCL portal into another as "ARCHIVE-…"
-- items, resuming from the last run's checkpoint. Scheduled:
--   lunet run --lock archive --log-format json examples/archive_buildings.lua [SOURCE_PROFILE TARGET_PROFILE]
-- Try it against the emulators: lunet run --sandbox examples/archive_buildings.lua
-- Installed (lua_modules, the user library folder) or, failing that, the
-- checkout this example lives in:
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = package.path .. ";" .. here .. "/../?.lua;" .. here .. "/../?/init.lua"
local sync = require "lunet_sync"
local icl = require "lunet.icl"
local lunet = require "lunet"

if lunet.sandbox then -- demo data for a sandbox run
  local control = require("lunet.http").connect{ url = lunet.sandbox }
  control:request{ method = "POST", path = "/_sandbox/seed/demo" }
end

local source = icl.connect(arg[1])
local target = arg[2] and icl.connect(arg[2]) or source

local report = sync.pipeline{
  name = "buildings → archive",
  source = sync.sources.icl_changes(source, { type = "building" }),
  transform = function(b)
    if b.isDeleted or b.externalId:find("^ARCHIVE%-") then return nil end
    return { externalId = "ARCHIVE-" .. b.externalId, buildingname = b.buildingname,
             strasse = b.strasse, plz = b.plz, ort = b.ort }
  end,
  destination = sync.destinations.icl_upsert(target, "building"),
  checkpoint = "archive:buildings",
}:run()

print(sync.format(report))
if report.failed > 0 then os.exit(1) end
