-- integrator.io → iCL Portal: export properties through an integrator.io
-- connection and upsert them as iCL buildings. What a scheduled job runs.
--
--   lunet run [--sandbox] scripts/examples/integrator_to_icl.lua [CONNECTION_ID EXPORT.json]
--
-- Each exported record ({code, street, zip, city}) becomes the building
-- with externalId "CEL-<code>". The export is paged (pagedExportState) and
-- streamed into the batch upsert: memory stays bounded by a page and a
-- batch however many records there are. The upsert ignores per-item errors
-- (valid buildings are stored, invalid ones listed); the run's summary is
-- kept in integrator.io's state API under "lunet:integrator_to_icl", so the
-- next run (or a person) can see when the last one ran and how it went.
--
-- With --sandbox the connection and model may be left out: the demo
-- "Heartbeat API" connection is loaded with 30 properties on the first run
-- (two of them without a street, which iCL refuses). Exits 1 when any record was
-- refused.
local integrator = require "lunet.integrator"
local icl = require "lunet.icl"
local json = require "lunet.json"
local lunet = require "lunet"

local STATE_KEY = "lunet:integrator_to_icl"
local connection, model_path = arg[1], arg[2]
if connection and not model_path then
  io.stderr:write("usage: lunet run integrator_to_icl.lua [CONNECTION_ID EXPORT.json]\n")
  os.exit(2)
end

local celigo = integrator.connect()
local model
if model_path then
  local f = assert(io.open(model_path, "rb"))
  model = json.decode(f:read("a"))
  f:close()
elseif lunet.sandbox then
  -- Stand-in for the real source system: the demo data (once per sandbox)
  -- and 30 properties behind the demo "Heartbeat API" connection.
  connection = "5a1498b3bc227369ab2aa77b"
  model = { rest = { relativeURI = "/properties" }, pageSize = 10 }
  if not pcall(celigo.connections.get, celigo.connections, connection) then
    require("lunet.http").connect{ url = lunet.sandbox }:request{ method = "POST", path = "/_sandbox/seed/demo" }
  end
  if #celigo.connections:export(connection, model).data == 0 then
    local cities = { { "Wien", "1010" }, { "Graz", "8010" }, { "Linz", "4020" } }
    local properties = {}
    for n = 1, 30 do
      local city = cities[n % 3 + 1]
      properties[n] = { code = ("P%03d"):format(n), street = (n == 7 or n == 19) and json.null or ("Ringstraße " .. n),
                        zip = city[2], city = city[1] }
    end
    celigo.connections:import(connection, { rest = { relativeURI = "/properties" } }, properties)
  end
else
  io.stderr:write("integrator_to_icl: give CONNECTION_ID and EXPORT.json (or run with --sandbox)\n")
  os.exit(2)
end

local previous = celigo.state:get(STATE_KEY)
if previous then
  print(("previous run %s: %d exported, %d stored, %d refused"):format(previous.at, previous.count,
    previous.succeeded, previous.errored))
end

-- integrator.io record → iCL building
local function building(r)
  local street = r.street ~= json.null and r.street or nil
  return { externalId = "CEL-" .. tostring(r.code), strasse = street, plz = r.zip, ort = r.city,
           buildingname = r.city .. ", " .. (street or "(no street)") }
end

local records = celigo.connections:export_pages(connection, model)
local function buildings()
  local r = records()
  return r and building(r)
end

local portal = icl.connect()
local report = portal:content("building"):upsert(buildings, { batch_size = 500, atomic = false })
print(("%d records exported, %d upsert batch(es): %d stored, %d refused"):format(report.count, report.batches,
  #report.succeeded, #report.errored))
for _, e in ipairs(report.errored) do
  print(("  %s (record %d): %s"):format(e.externalId, e.index, tostring(e.error)))
end

celigo.state:put(STATE_KEY, { at = os.date("!%Y-%m-%dT%H:%M:%SZ"), count = report.count,
  succeeded = #report.succeeded, errored = #report.errored })
if #report.errored > 0 then os.exit(1) end
