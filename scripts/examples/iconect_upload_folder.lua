-- Upload every file of a folder to iCONECT: one record per file (DocID =
-- the file name without its extension, Title = the file name), the file in
-- the record's native-file field, with a summary at the end.
--
--   lunet run [--sandbox] scripts/examples/iconect_upload_folder.lua PROJECT FOLDER [--field NAME] [--chunk-mb N]
--
-- Safe to run again: DocID is the duplicate key, so a file whose record
-- exists goes to that record, and an upload cut off midway (crash, Ctrl-C)
-- continues from the first chunk the server did not acknowledge (resume).
-- Files go up two at a time; each shows a progress bar on a terminal.
-- Exits 1 when a file could not be uploaded (each one is named).
local iconect = require "lunet.iconect"
local lunet = require "lunet"
local task = require "lunet.task"

local project_id, folder = math.tointeger(tonumber(arg[1] or "")), arg[2]
local field_name, chunk_mb = "Native", 8
local usage = project_id and folder
local i = 3
while usage and arg[i] do
  if arg[i] == "--field" and arg[i + 1] then field_name = arg[i + 1]; i = i + 2
  elseif arg[i] == "--chunk-mb" and tonumber(arg[i + 1] or "") then chunk_mb = tonumber(arg[i + 1]); i = i + 2
  else usage = nil end
end
if not usage then
  io.stderr:write("usage: lunet run iconect_upload_folder.lua PROJECT FOLDER [--field NAME] [--chunk-mb N]\n")
  os.exit(2)
end

-- The folder's regular files, sorted (not recursive; hidden files skipped).
local function files_in(dir)
  local quoted = "'" .. dir:gsub("'", "'\\''") .. "'"
  local p = assert(io.popen("find " .. quoted .. " -maxdepth 1 -type f ! -name '.*' -print0 2>/dev/null"))
  local out = p:read("a")
  local ok = p:close()
  if not ok then error(dir .. ": not a readable folder", 0) end
  local list = {}
  for path in out:gmatch("([^%z]+)%z") do list[#list + 1] = path end
  table.sort(list)
  return list
end

local ic = iconect.connect()
if lunet.sandbox and not pcall(ic.projects.get, ic.projects, project_id) then
  require("lunet.http").connect{ url = lunet.sandbox }:request{ method = "POST", path = "/_sandbox/seed/demo" }
end
local p = ic:project(project_id)
local fields = {}
for f in p.fields:list() do fields[f.name:lower()] = f end
local function field(name)
  return fields[name:lower()] or error(("project %d has no field '%s'"):format(project_id, name), 0)
end
local docid, title, native = field("DocID"), field("Title"), field(field_name)
if native.type_name ~= "NATIVE_FILE" then
  error(("field '%s' is %s, not a native-file field"):format(field_name, native.type_name), 0)
end

local paths = files_in(folder)
if #paths == 0 then print("no files in " .. folder); return end

-- One record per file; an existing record with the same DocID is reused.
local report = p.records:create((function()
  local k = 0
  return function()
    k = k + 1
    local path = paths[k]
    if not path then return nil end
    local name = path:match("[^/]+$")
    return { field_data = { [docid.id] = (name:gsub("%.[^.]*$", "")), [title.id] = name } }
  end
end)(), { hash_ids = { docid.id } })
local record_of = {}
for _, r in ipairs(report.created) do record_of[r.index] = r.id end
for _, r in ipairs(report.duplicates) do record_of[r.index] = r.id end

local failures, bytes, started = {}, 0, os.time()
task.map(paths, function(path, k)
  if not record_of[k] then
    failures[#failures + 1] = path .. ": no record (" .. tostring((report.errors[1] or {}).error) .. ")"
    return
  end
  local ok, err = pcall(p.files.upload, p.files, { record = record_of[k], field = native.id, path = path,
                                                   chunk_size = math.floor(chunk_mb * 1024 * 1024), resume = true })
  if ok then
    local f = io.open(path, "rb"); bytes = bytes + f:seek("end"); f:close()
  else
    failures[#failures + 1] = path .. ": " .. tostring(err)
  end
end, { concurrency = 2 })

print(("%d files: %d new records, %d existing; %d uploaded (%.1f MB in %d s), %d failed")
  :format(#paths, #report.created, #report.duplicates, #paths - #failures, bytes / 1048576,
          os.time() - started, #failures))
table.sort(failures)
for _, f in ipairs(failures) do print("  failed: " .. f) end
if #failures > 0 then os.exit(1) end
