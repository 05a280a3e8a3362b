-- Export an iCONECT project's records to CSV, page by page through the
-- records cursor (memory stays bounded by the page size).
--
--   lunet run [--sandbox] scripts/examples/iconect_records_to_csv.lua PROJECT OUT.csv [FIELD ...]
--
-- FIELD: a field name (case-insensitive) or id; without any, every field.
-- The first column is the record id. Values are written as RFC 4180 CSV
-- (CRLF line ends, quoted when they hold a comma, quote or line break).
-- The file is written to OUT.csv.part and renamed when complete.
local iconect = require "lunet.iconect"
local csv = require "lunet.csv"
local lunet = require "lunet"

local project_id, out_path = math.tointeger(tonumber(arg[1] or "")), arg[2]
if not project_id or not out_path then
  io.stderr:write("usage: lunet run iconect_records_to_csv.lua PROJECT OUT.csv [FIELD ...]\n")
  os.exit(2)
end

local ic = iconect.connect()
if lunet.sandbox and not pcall(ic.projects.get, ic.projects, project_id) then
  require("lunet.http").connect{ url = lunet.sandbox }:request{ method = "POST", path = "/_sandbox/seed/demo" }
end
local p = ic:project(project_id)

-- The chosen fields, in the order given.
local fields, by_name, by_id = {}, {}, {}
for f in p.fields:list() do
  by_name[f.name:lower()] = f
  by_id[f.id] = f
end
if #arg > 2 then
  for i = 3, #arg do
    local f = by_id[math.tointeger(tonumber(arg[i]))] or by_name[arg[i]:lower()]
    if not f then
      io.stderr:write(("iconect_records_to_csv: project %d has no field '%s'\n"):format(project_id, arg[i]))
      os.exit(2)
    end
    fields[#fields + 1] = f
  end
else
  for f in p.fields:list() do fields[#fields + 1] = f end
end

local ids, header = {}, { "id" }
for i, f in ipairs(fields) do ids[i], header[i + 1] = f.id, f.name end

local out = csv.writer(out_path) -- OUT.csv.part, renamed into place when complete
out:write(header)
local n = 0
for record in p.records:list{ page_size = 200, field_ids = ids, size_limit = 0 } do
  local row = { record.id }
  for i, f in ipairs(fields) do row[i + 1] = record.field_data[tostring(f.id)] end
  out:write(row, #fields + 1)
  n = n + 1
end
out:close()

local names = {}
for i, f in ipairs(fields) do names[i] = f.name end
print(("%d records of project %d written to %s (fields: %s)"):format(n, project_id, out_path, table.concat(names, ", ")))
