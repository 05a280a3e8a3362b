-- Page through an integrator.io virtual export into a CSV file.
--
--   lunet run [--sandbox] scripts/examples/integrator_export_to_csv.lua OUT.csv [CONNECTION_ID EXPORT.json] [--page-size N]
--
-- EXPORT.json is the export model (what integrator.io's virtual export
-- takes, e.g. a NetSuite saved search or a REST relativeURI). With
-- --sandbox both may be left out: the demo NetSuite connection and its
-- 822-record saved search are used.
--
-- The columns are the fields of the first record, sorted; nested values
-- are written as JSON. Fields that appear only in later records are not
-- dropped silently: the script names them at the end. The file is written
-- beside OUT.csv and renamed into place when complete, so OUT.csv is never
-- half-written.
local integrator = require "lunet.integrator"
local json = require "lunet.json"
local csv = require "lunet.csv"
local lunet = require "lunet"

local args, page_size = {}, 100
local i = 1
while i <= #arg do
  if arg[i] == "--page-size" then
    page_size = math.tointeger(tonumber(arg[i + 1] or ""))
    i = i + 2
  else
    args[#args + 1] = arg[i]
    i = i + 1
  end
end
local out_path, connection, model_path = args[1], args[2], args[3]
if not out_path or (connection and not model_path) or not page_size then
  io.stderr:write("usage: lunet run integrator_export_to_csv.lua OUT.csv [CONNECTION_ID EXPORT.json] [--page-size N]\n")
  os.exit(2)
end

local model
if model_path then
  local f = assert(io.open(model_path, "rb"))
  model = json.decode(f:read("a"))
  f:close()
elseif lunet.sandbox then
  require("lunet.http").connect{ url = lunet.sandbox }:request{ method = "POST", path = "/_sandbox/seed/demo" }
  connection = "5541489353bb53af29000009" -- "NetSuite Production" of the demo data
  model = { type = "netsuite", netsuite = { type = "search", searches = { { recordType = "customRecord" } } } }
else
  io.stderr:write("integrator_export_to_csv: give CONNECTION_ID and EXPORT.json (or run with --sandbox)\n")
  os.exit(2)
end

local celigo = integrator.connect()
local out = csv.writer(out_path) -- OUT.csv.part until complete
local columns, known, extra = nil, {}, {}
local records, pages = 0, 0
local ok, err = pcall(function()
  for page in celigo.connections:export_pages(connection, model, { page_size = page_size }):pages() do
    pages = pages + 1
    for _, record in ipairs(page) do
      if not columns then
        columns = {}
        for k in pairs(record) do columns[#columns + 1] = k end
        table.sort(columns)
        for _, c in ipairs(columns) do known[c] = true end
        out:write(columns)
      end
      for k in pairs(record) do if not known[k] then extra[k] = (extra[k] or 0) + 1 end end
      local row = {}
      for n, c in ipairs(columns) do row[n] = record[c] end
      out:write(row, #columns)
      records = records + 1
    end
  end
end)
if not ok then
  out:abort()
  io.stderr:write("integrator_export_to_csv: ", tostring(err), "\n")
  os.exit(1)
end
out:close()
print(("%d records in %d page(s) written to %s (%d columns)"):format(records, pages, out_path, columns and #columns or 0))
local names = {}
for k, n in pairs(extra) do names[#names + 1] = ("%s (%d records)"):format(k, n) end
table.sort(names)
if #names > 0 then print("fields not in the header, left out: " .. table.concat(names, ", ")) end
