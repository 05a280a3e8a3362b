-- Bulk upsert of iCL buildings from a CSV file, with a report.
--
--   lunet run [--sandbox] scripts/examples/icl_upsert_from_csv.lua IN.csv [--ignore-errors] [--batch-size N]
--
-- The header row names the fields (externalId is required: the batch upsert
-- matches items by it); empty cells are left out. Batches are atomic by
-- default: one invalid row rolls its whole batch back. --ignore-errors stores
-- the valid rows anyway. Prints every errored and rolled-back row with its
-- line number in IN.csv; exits 1 when anything errored.
local icl = require "lunet.icl"
local lunet = require "lunet"
local csv = require "lunet.csv"

local path, atomic, batch_size = nil, true, 500
local i = 1
while arg[i] do
  if arg[i] == "--ignore-errors" then atomic = false
  elseif arg[i] == "--batch-size" then i = i + 1; batch_size = math.tointeger(tonumber(arg[i]))
  elseif not path then path = arg[i]
  else path = nil; break end
  i = i + 1
end
if not path or not batch_size then
  io.stderr:write("usage: lunet run icl_upsert_from_csv.lua IN.csv [--ignore-errors] [--batch-size N]\n")
  os.exit(2)
end

local portal = icl.connect()
if lunet.sandbox and not pcall(function() return portal:type("building"):get() end) then
  require("lunet.http").connect{ url = lunet.sandbox }:request{ method = "POST", path = "/_sandbox/seed/demo" }
end

local next_record = csv.rows(path)
local header = next_record()
if not header then error(path .. ": empty file (a header row with field names is needed)", 0) end

-- Stream the rows into upsert; remember each row's line for the report.
local lines = {}
local function items()
  local record, line = next_record()
  if not record then return nil end
  local item = {}
  for k, name in ipairs(header) do
    if record[k] and record[k] ~= "" then item[name] = record[k] end
  end
  lines[#lines + 1] = line
  return item
end

local r = portal:content("building"):upsert(items, { batch_size = batch_size, atomic = atomic })

print(("%s: %d rows in %d batch(es) (%s): %d succeeded, %d errored, %d rolled back"):format(
  path, r.count, r.batches, atomic and "atomic" or "ignore errors", #r.succeeded, #r.errored, #r.rolled_back))
for _, e in ipairs(r.errored) do
  print(("  line %d  %-12s errored: %s"):format(lines[e.index], tostring(e.externalId), tostring(e.error)))
end
for _, e in ipairs(r.rolled_back) do
  print(("  line %d  %-12s rolled back (valid, but its batch was not stored)"):format(lines[e.index], tostring(e.externalId)))
end
if #r.errored > 0 then os.exit(1) end
