-- Keep one CoreData project per iCL building: the kind of sync a scheduled
-- job runs every few minutes.
--
--   lunet run [--sandbox] scripts/examples/icl_to_coredata_projects.lua [SPACE] [CHECKPOINT]
--
-- Reads the iCL building change feed from where the last run stopped
-- (lunet.state checkpoint CHECKPOINT, default "icl-buildings→coredata") and,
-- in the CoreData space titled SPACE (default "Projects"):
--   a new building     → a new project titled "<externalId> <buildingname>"
--   a changed building → that project's title and description updated
--   a deleted building → that project's status set to Closed
-- Which project belongs to which building is kept in lunet.state
-- ("icl2cd:<externalId>" → project id). Before creating a project the
-- script marks the building "pending", so a run killed between the create
-- and the mark finds the project by title instead of creating it twice.
--
-- Buildings are processed 50 at a time, 8 concurrently; the feed position
-- is saved only after a whole batch is done. A transport failure stops the
-- run (the next run resumes at that batch); a building CoreData rejects
-- (4xx) is reported and the run exits 1.
local icl = require "lunet.icl"
local coredata = require "lunet.coredata"
local paging = require "lunet.paging"
local state = require "lunet.state"
local task = require "lunet.task"
local json = require "lunet.json"
local lunet = require "lunet"

local space_title, checkpoint = arg[1] or "Projects", arg[2] or "icl-buildings→coredata"

local portal, cd = icl.connect(), coredata.connect()
if lunet.sandbox and cd.spaces:list():total() == 0 then
  require("lunet.http").connect{ url = lunet.sandbox }:request{ method = "POST", path = "/_sandbox/seed/demo" }
end

local space
for s in cd.spaces:list() do if s.title == space_title then space = s end end
if not space then
  io.stderr:write(("no CoreData space titled %q\n"):format(space_title))
  os.exit(2)
end

local CLOSED = "project_status:Closed:"
local function text(v) return (v == nil or v == json.null) and "" or tostring(v) end

local function title_of(b) return (b.externalId .. " " .. text(b.buildingname)):gsub("%s+$", "") end
-- "Street Stiege, PLZ Ort", leaving out what the building does not have.
local function joined(sep, ...)
  local parts = {}
  for _, v in ipairs { ... } do if v ~= "" then parts[#parts + 1] = v end end
  return table.concat(parts, sep)
end
local function description_of(b)
  return joined(", ", joined(" ", text(b.strasse), text(b.stiege)), joined(" ", text(b.plz), text(b.ort)))
end

-- The project of a building: from the mapping, or (after a crash) by title.
local function project_of(b)
  local key = "icl2cd:" .. b.externalId
  local id = state.get(key)
  if id ~= "pending" then return id end
  local found = cd.projects:list{ title__startswith = b.externalId .. " " }:first()
  if found then state.set(key, found.id) end
  return found and found.id
end

-- One building → "created", "updated" or "closed".
local function sync(b)
  local key = "icl2cd:" .. b.externalId
  local id = project_of(b)
  if b.isDeleted then
    if not id then return "skipped" end
    cd.projects:update(id, { status = CLOSED })
    return "closed"
  end
  if id then
    cd.projects:update(id, { title = title_of(b), description = description_of(b) })
    return "updated"
  end
  state.set(key, "pending")
  local p = cd.projects:create{ space = space.id, title = title_of(b), description = description_of(b) }
  state.set(key, p.id)
  return "created"
end

local LISTS = { "created", "updated", "closed", "skipped", "failed" }
local feed = portal:changes{ type = "building", checkpoint = checkpoint }
local ok, result = pcall(paging.batch, feed, { batch_size = 50 }, {
  caller = "icl_to_coredata_projects", lists = LISTS,
  send = function(buildings)
    local report = {}
    for _, name in ipairs(LISTS) do report[name] = {} end
    task.map(buildings, function(b, i)
      local done, what = pcall(sync, b)
      if done then
        table.insert(report[what], { index = i, externalId = b.externalId })
      elseif type(what) == "table" and what.status and what.status >= 400 and what.status < 500 then
        table.insert(report.failed, { index = i, externalId = b.externalId, error = tostring(what) })
      else
        error(what, 0) -- transport or server failure: stop before the checkpoint passes this batch
      end
    end, { concurrency = 8 })
    return report
  end,
})
if not ok then
  io.stderr:write("sync stopped: ", tostring(result), "\n")
  os.exit(3)
end

print(("%d building changes: %d created, %d updated, %d closed, %d skipped, %d failed"):format(
  result.count, #result.created, #result.updated, #result.closed, #result.skipped, #result.failed))
for _, f in ipairs(result.failed) do print(("  %s: %s"):format(f.externalId, f.error)) end
os.exit(#result.failed == 0 and 0 or 1)
