-- Export an iCONECT project's records to CSV, page by page through the
-- records cursor (memory stays bounded by the page size).
--
--   lunet run [--sandbox] scripts/examples/iconect_records_to_csv.lua PROJECT OUT.csv [FIELD ...]
--
-- FIELD: a field name (case-insensitive) or id; without any, every field.
-- The first column is the record id. Values are written as RFC 4180 CSV
-- (CRLF line ends, quoted when they hold a comma, quote or line break).
-- The file is written to OUT.csv.tmp and renamed when complete.
local iconect = require "lunet.iconect"
local json = require "lunet.json"
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

local function cell(v)
  if v == nil or v == json.null then return "" end
  if math.type(v) == "float" then v = ("%.14g"):format(v) end
  v = tostring(v)
  if v:find('[,"\r\n]') then v = '"' .. v:gsub('"', '""') .. '"' end
  return v
end

local ids, header = {}, { "id" }
for i, f in ipairs(fields) do ids[i], header[i + 1] = f.id, cell(f.name) end

local tmp = out_path .. ".tmp"
local file = assert(io.open(tmp, "wb"))
file:write(table.concat(header, ","), "\r\n")
local n = 0
for record in p.records:list{ page_size = 200, field_ids = ids, size_limit = 0 } do
  local row = { record.id }
  for i, f in ipairs(fields) do row[i + 1] = cell(record.field_data[tostring(f.id)]) end
  file:write(table.concat(row, ","), "\r\n")
  n = n + 1
end
assert(file:close())
assert(os.rename(tmp, out_path))

local names = {}
for i, f in ipairs(fields) do names[i] = f.name end
print(("%d records of project %d written to %s (fields: %s)"):format(n, project_id, out_path, table.concat(names, ", ")))
