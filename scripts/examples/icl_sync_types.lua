-- Mirror one iCL content type into another through the change feed.
--
--   lunet run [--sandbox-url URL] scripts/examples/icl_sync_types.lua SOURCE DESTINATION [CHECKPOINT]
--
-- Every change of SOURCE since the last run is upserted into DESTINATION,
-- matched by the externalId "SOURCE:<the source item's externalId>" (or its
-- contentItemId when it has none: external ids are unique across types).
-- DESTINATION is created when missing, with SOURCE's fields and a Boolean
-- `source_deleted`, set for items deleted in SOURCE (so nothing disappears
-- without a trace). The feed position is kept in lunet.state under
-- CHECKPOINT (default "sync:SOURCE->DESTINATION").
--
-- Crash safety: the feed goes into the batch upsert as `feed:map(...)`, so
-- the checkpoint advances only over items whose batches the server has
-- acknowledged. A run killed at any moment (even kill -9) is simply run
-- again: it re-sends at most the unacknowledged batches, whose upserts are
-- idempotent, and skips nothing (Tests/LunetCLITests/CrashSafetyTests.swift).
local icl = require "lunet.icl"
local log = require "lunet.log"

local source, destination = arg[1], arg[2]
if not source or not destination then
  io.stderr:write("usage: lunet run icl_sync_types.lua SOURCE DESTINATION [CHECKPOINT]\n")
  os.exit(2)
end
local checkpoint = arg[3] or ("sync:" .. source .. "->" .. destination)
-- Batch size and requests in flight (SYNC_BATCH_SIZE, SYNC_CONCURRENCY).
local BATCH = tonumber(os.getenv("SYNC_BATCH_SIZE") or "") or 100
local CONCURRENCY = tonumber(os.getenv("SYNC_CONCURRENCY") or "") or 2

local portal = icl.connect()
local definition = portal:type(source):get()

-- The destination type: the source's fields plus `source_deleted`.
local ok = pcall(function() return portal:type(destination):get() end)
if not ok then
  local fields = {}
  for _, f in ipairs(definition.fields) do
    fields[#fields + 1] = { type = f.type, name = f.name, displayName = f.displayName, isRequired = f.isRequired,
                            relatedContentTypeName = f.relatedContentTypeName }
  end
  fields[#fields + 1] = { type = "Boolean", name = "source_deleted", displayName = "Deleted in " .. source, isRequired = false }
  local created, err = pcall(function()
    local hex = ("x"):rep(32):gsub("x", function() return ("%x"):format(math.random(0, 15)) end)
    local id = hex:sub(1, 8) .. "-" .. hex:sub(9, 12) .. "-4" .. hex:sub(14, 16) .. "-8" .. hex:sub(18, 20) .. "-" .. hex:sub(21, 32)
    return portal:type(destination):create{ id = id, name = destination, displayName = destination,
                                            titleFieldName = definition.titleFieldName, fields = fields }
  end)
  -- Another run may have created it in the meantime.
  if not created and not pcall(function() return portal:type(destination):get() end) then error(err, 0) end
end

local names = {}
for _, f in ipairs(definition.fields) do names[#names + 1] = f.name end

local function to_destination(item)
  local copy = { externalId = source .. ":" .. (item.externalId or item.contentItemId), source_deleted = item.isDeleted == true }
  for _, name in ipairs(names) do copy[name] = item[name] end
  return copy
end

local feed = portal:changes{ type = source, checkpoint = checkpoint }
local report = portal:content(destination):upsert(feed:map(to_destination), { batch_size = BATCH, concurrency = CONCURRENCY })
if #report.errored > 0 or #report.rolled_back > 0 then
  for i, e in ipairs(report.errored) do
    if i > 20 then log.error("… and more", { not_shown = #report.errored - 20 }); break end
    log.error("not stored", { externalId = e.externalId, error = e.error })
  end
  -- Their batches were answered, so the checkpoint has moved past them:
  -- fix the cause and replay them (portal:changes{ token = ... }).
  error(("%d of %d items were not stored (%d rejected, %d rolled back)")
    :format(#report.errored + #report.rolled_back, report.count, #report.errored, #report.rolled_back), 0)
end
log.info("synced", { source = source, destination = destination, items = report.count, batches = report.batches,
                     checkpoint = checkpoint })
