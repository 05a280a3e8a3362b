-- Sync iCL buildings into a CSV file through the change feed.
--
--   lunet run [--sandbox] scripts/examples/icl_feed_to_csv.lua OUT.csv [CHECKPOINT]
--
-- Every run appends the buildings changed since the last run: one row per
-- change, deleted buildings marked in the `deleted` column. The position in
-- the feed is kept in lunet.state under CHECKPOINT (default
-- "icl-buildings-csv"), so a second run only sees what changed in between.
-- Delete the checkpoint (`lunet state delete checkpoint:NAME`) to start over.
--
-- Safety: rows are appended line-buffered, so every row of a page is in the
-- file before the feed saves the checkpoint after that page. A run that dies
-- midway re-delivers at most the page it was in (its rows may then appear
-- twice; the later one wins) and never skips a change.
local icl = require "lunet.icl"
local lunet = require "lunet"
local csv = require "lunet.csv"

local out_path, checkpoint = arg[1], arg[2] or "icl-buildings-csv"
if not out_path then
  io.stderr:write("usage: lunet run icl_feed_to_csv.lua OUT.csv [CHECKPOINT]\n")
  os.exit(2)
end

-- With --sandbox: load the demo data once (the sandbox starts empty).
local portal = icl.connect()
if lunet.sandbox and not pcall(function() return portal:type("building"):get() end) then
  require("lunet.http").connect{ url = lunet.sandbox }:request{ method = "POST", path = "/_sandbox/seed/demo" }
end

local COLUMNS = { "externalId", "deleted", "lastModificationTime", "buildingname", "strasse", "stiege", "stock",
                  "topnr", "plz", "ort", "baujahr", "site", "contentItemId" }

-- Appended: a new (or empty) file gets the header row first.
local out = csv.writer(out_path, { append = true })
if out.empty then out:write(COLUMNS) end

local feed = portal:changes{ type = "building", checkpoint = checkpoint }
local changed, deleted = 0, 0
for item in feed do
  local row = {}
  for i, name in ipairs(COLUMNS) do row[i] = item[name] end
  row[2] = item.isDeleted and "yes" or ""
  out:write(row, #COLUMNS)
  if item.isDeleted then deleted = deleted + 1 else changed = changed + 1 end
end
out:close()

print(("%d changes appended to %s (%d new or changed, %d deleted)"):format(changed + deleted, out_path, changed, deleted))
print(("checkpoint %q at token %s"):format(checkpoint, tostring(feed.token)))
