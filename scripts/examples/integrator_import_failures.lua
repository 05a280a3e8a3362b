-- Import records through an integrator.io connection and print the failures.
--
--   lunet run [--sandbox] scripts/examples/integrator_import_failures.lua RECORDS.ndjson [CONNECTION_ID IMPORT.json] [--batch-size N]
--
-- RECORDS.ndjson holds one JSON record per line (blank lines are skipped);
-- it is read as it is imported, so it may be of any size. IMPORT.json is
-- the import model (with its mapping). With --sandbox the connection and
-- model may be left out: the demo "Heartbeat API" connection and
-- scripts/examples/data/integrator_contacts_import.json are used.
--
-- Prints one summary line and one line per failed record (with its line in
-- the file and the server's reasons); exits 1 when any record failed.
local integrator = require "lunet.integrator"
local json = require "lunet.json"
local lunet = require "lunet"

local args, batch_size = {}, 100
local i = 1
while i <= #arg do
  if arg[i] == "--batch-size" then
    batch_size = math.tointeger(tonumber(arg[i + 1] or ""))
    i = i + 2
  else
    args[#args + 1] = arg[i]
    i = i + 1
  end
end
local records_path, connection, model_path = args[1], args[2], args[3]
if not records_path or (connection and not model_path) or not batch_size or batch_size < 1 then
  io.stderr:write("usage: lunet run integrator_import_failures.lua RECORDS.ndjson [CONNECTION_ID IMPORT.json] [--batch-size N]\n")
  os.exit(2)
end
if not connection then
  if not lunet.sandbox then
    io.stderr:write("integrator_import_failures: give CONNECTION_ID and IMPORT.json (or run with --sandbox)\n")
    os.exit(2)
  end
  require("lunet.http").connect{ url = lunet.sandbox }:request{ method = "POST", path = "/_sandbox/seed/demo" }
  connection = "5a1498b3bc227369ab2aa77b" -- "Heartbeat API" of the demo data
  local here = arg[0]:match("^(.*)/[^/]*$") or "."
  model_path = here .. "/data/integrator_contacts_import.json"
end

local f = assert(io.open(model_path, "rb"))
local model = json.decode(f:read("a"))
f:close()

-- The records, one per non-blank line; lines[k] is the line of record k.
local input = assert(io.open(records_path, "rb"))
local lines, unreadable, line_no = {}, {}, 0
local function next_record()
  for text in input:lines() do
    line_no = line_no + 1
    if text:find("%S") then
      local ok, record = pcall(json.decode, text)
      if ok then
        lines[#lines + 1] = line_no
        return record
      end
      unreadable[#unreadable + 1] = ("  line %d: not JSON: %s"):format(line_no, tostring(record))
    end
  end
  return nil
end

local celigo = integrator.connect()
local ok, report = pcall(celigo.connections.import, celigo.connections, connection, model, next_record,
  { batch_size = batch_size })
input:close()
if not ok then
  local e = report
  io.stderr:write("integrator_import_failures: ", tostring(e), "\n")
  if type(e) == "table" and e.report then
    io.stderr:write(("  before the failure: %d records sent, %d imported, %d rejected\n"):format(
      e.report.count, #e.report.succeeded, #e.report.errored))
  end
  os.exit(1)
end

print(("%s: %d records in %d batch(es): %d imported, %d failed%s"):format(records_path, report.count, report.batches,
  #report.succeeded, #report.errored, #unreadable > 0 and (", " .. #unreadable .. " unreadable line(s)") or ""))
for _, failure in ipairs(report.errored) do
  local reasons = {}
  for _, e in ipairs(failure.errors or {}) do
    reasons[#reasons + 1] = (e.code and (e.code .. ": ") or "") .. (e.message or "?")
  end
  print(("  line %d (record %d): %s %s"):format(lines[failure.index], failure.index,
    tostring(failure.statusCode or "-"), table.concat(reasons, "; ")))
end
for _, text in ipairs(unreadable) do print(text) end
if #report.errored > 0 or #unreadable > 0 then os.exit(1) end
