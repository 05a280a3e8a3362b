-- Create iCONECT records from a CSV file and report duplicates and errors.
--
--   lunet run [--sandbox] scripts/examples/iconect_load_records.lua PROJECT IN.csv [--hash FIELD] [--batch-size N]
--
-- The header row names the fields (names, case-insensitive, or ids); empty
-- cells are left out. --hash FIELD (repeatable) makes records whose values
-- of those fields equal an existing record's duplicates, which are not
-- created. Rows stream into records:create, which sends them in batches.
-- Prints each duplicate and error with its line in IN.csv; exits 1 when a
-- row was refused.
local iconect = require "lunet.iconect"
local lunet = require "lunet"
local csv = require "lunet.csv"

local project_id, path, hash, batch_size = math.tointeger(tonumber(arg[1] or "")), arg[2], {}, 500
local usage = project_id and path
local i = 3
while usage and arg[i] do
  if arg[i] == "--hash" and arg[i + 1] then hash[#hash + 1] = arg[i + 1]; i = i + 2
  elseif arg[i] == "--batch-size" and math.tointeger(tonumber(arg[i + 1] or "")) then
    batch_size = math.tointeger(tonumber(arg[i + 1])); i = i + 2
  else usage = nil end
end
if not usage then
  io.stderr:write("usage: lunet run iconect_load_records.lua PROJECT IN.csv [--hash FIELD] [--batch-size N]\n")
  os.exit(2)
end

local ic = iconect.connect()
if lunet.sandbox and not pcall(ic.projects.get, ic.projects, project_id) then
  require("lunet.http").connect{ url = lunet.sandbox }:request{ method = "POST", path = "/_sandbox/seed/demo" }
end
local p = ic:project(project_id)

local by_name, by_id = {}, {}
for f in p.fields:list() do
  by_name[f.name:lower()] = f
  by_id[f.id] = f
end
local function field_id(name)
  local f = by_id[math.tointeger(tonumber(name))] or by_name[name:lower()]
  if not f then
    io.stderr:write(("iconect_load_records: project %d has no field '%s'\n"):format(project_id, name))
    os.exit(2)
  end
  return f.id
end

local next_record = csv.rows(path)
local header = next_record()
if not header then error(path .. ": empty file (a header row with field names is needed)", 0) end
local columns = {}
for k, name in ipairs(header) do columns[k] = field_id(name) end
local hash_ids = {}
for k, name in ipairs(hash) do hash_ids[k] = field_id(name) end

local lines, rows = {}, {}
local function records()
  local record, line = next_record()
  if not record then return nil end
  local data = {}
  for k, id in ipairs(columns) do
    if record[k] and record[k] ~= "" then data[id] = record[k] end
  end
  lines[#lines + 1], rows[#rows + 1] = line, record[1]
  return { field_data = data }
end

local r = p.records:create(records, { hash_ids = #hash_ids > 0 and hash_ids or nil, batch_size = batch_size })

print(("%s: %d rows in %d batch(es): %d created, %d duplicates, %d errors"):format(
  path, r.count, r.batches, #r.created, #r.duplicates, #r.errors))
for _, e in ipairs(r.duplicates) do
  print(("  line %d  %-14s duplicate of record %d"):format(lines[e.index], rows[e.index], e.id))
end
for _, e in ipairs(r.errors) do
  print(("  line %d  %-14s error: %s"):format(lines[e.index], rows[e.index], e.error))
end
if #r.errors > 0 then os.exit(1) end
