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

-- A small RFC 4180 reader: quoted fields may hold commas, doubled quotes and
-- line breaks. Returns an iterator of (record, line where it starts).
local function csv_records(file)
  local line_no = 0
  return function()
    local line = file:read("L")
    while line == "\n" or line == "\r\n" do line = file:read("L") end -- skip blank lines
    if not line then return nil end
    line_no = line_no + 1
    local start, fields, pos, field = line_no, {}, 1, ""
    while true do
      local c = line:sub(pos, pos)
      if c == '"' then -- a quoted field, possibly over several lines
        pos = pos + 1
        while true do
          local q = line:find('"', pos, true)
          if not q then
            field = field .. line:sub(pos)
            line = file:read("L") or error(("%s:%d: unterminated quoted field"):format(path, start), 0)
            line_no, pos = line_no + 1, 1
          elseif line:sub(q + 1, q + 1) == '"' then
            field, pos = field .. line:sub(pos, q), q + 2
          else
            field, pos = field .. line:sub(pos, q - 1), q + 1
            break
          end
        end
      end
      local stop = line:find("[,\r\n]", pos) or #line + 1
      field = field .. line:sub(pos, stop - 1)
      fields[#fields + 1] = field
      if line:sub(stop, stop) ~= "," then return fields, start end
      field, pos = "", stop + 1
    end
  end
end

local file = assert(io.open(path, "rb"))
local next_record = csv_records(file)
local header = next_record()
if not header then error(path .. ": empty file (a header row with field names is needed)", 0) end
header[1] = header[1]:gsub("^\239\187\191", "") -- a UTF-8 byte order mark from Excel

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
file:close()

print(("%s: %d rows in %d batch(es) (%s): %d succeeded, %d errored, %d rolled back"):format(
  path, r.count, r.batches, atomic and "atomic" or "ignore errors", #r.succeeded, #r.errored, #r.rolled_back))
for _, e in ipairs(r.errored) do
  print(("  line %d  %-12s errored: %s"):format(lines[e.index], tostring(e.externalId), tostring(e.error)))
end
for _, e in ipairs(r.rolled_back) do
  print(("  line %d  %-12s rolled back (valid, but its batch was not stored)"):format(lines[e.index], tostring(e.externalId)))
end
if #r.errored > 0 then os.exit(1) end
